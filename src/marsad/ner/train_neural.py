"""Train the neural NER tagger (BiLSTM-CNN-CRF) with PyTorch and export it for numpy inference.

torch and gensim are train-time extras (``pip install torch==2.13.0 gensim==4.4.0``); the
shipped tagger (:mod:`marsad.ner.neural`) needs numpy only.

    python -m marsad.ner.embeddings /tmp/nn/w2v.kv ../shared/corpus/ant/ant-v2.1.jsonl.gz \
        ../shared/corpus/saudinewsnet/saudinewsnet.jsonl.gz
    python -m marsad.ner.train_neural ../shared/data/ner/anercorp/train.bio /tmp/nn/w2v.kv

trains one model per seed in ``SHIPPED_SEEDS`` and merges them into the shipped ensemble
(``data/ner/neural.npz``; emissions and CRF weights averaged at inference).

Training uses ``train.bio`` only: every 10th pseudo-document (20 sentences) is held out as a
dev set for choosing the epoch. Seeds are fixed and torch runs on one CPU thread, so a rerun
with the same word vectors should give the same weights up to CPU float differences between
machines; the word2vec step uses 2 worker threads and is not bit-reproducible (see
docs/models/ner.md).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections import Counter

import numpy as np

from marsad.ner.bio import read_bio
from marsad.ner.evaluate import score
from marsad.ner.features import DOC_SIZE, document_features
from marsad.ner.lexicon import norm
from marsad.ner.neural import MAX_CHARS, categorical_features, encode_document, word_candidates

CONFIG = {
    "top_words": 60000,
    "tune_words": False,  # word vectors stay as pretrained (unseen corpus words keep their place)  # corpus words kept beside the training vocabulary
    "char_dim": 32,
    "char_widths": [3, 5],
    "char_filters": 48,
    "feat_dim": 48,
    "word_proj": 100,
    "hidden": 150,
    "dropout": 0.5,
    "lr": 0.002,
    "batch": 32,
    "epochs": 30,
    "patience": 6,
    "seed": 7,
    "max_minutes": 22,
}


#: The shipped file is the ensemble of the models trained with these seeds.
SHIPPED_SEEDS = (7, 11)


def _docs(sentences):
    return [sentences[i:i + DOC_SIZE] for i in range(0, len(sentences), DOC_SIZE)]


def build_vocab(train_sents, kv, top_words: int):
    """Shipped word list: every lookup key of the training tokens that has a vector, plus the
    ``top_words`` most frequent corpus words."""
    keep = {}
    for tokens, _ in train_sents:
        for t in tokens:
            for k in word_candidates(t):
                if k in kv.key_to_index:
                    keep.setdefault(k, None)
    for w in kv.index_to_key[:top_words]:
        keep.setdefault(w, None)
    words = ["<pad>", "<unk>"] + [w for w in keep if w not in ("<pad>", "<unk>")]
    matrix = np.zeros((len(words), kv.vector_size), dtype=np.float32)
    for i, w in enumerate(words[2:], start=2):
        if w in kv.key_to_index:
            matrix[i] = kv[w]
    if "<num>" not in kv.key_to_index:
        words.append("<num>")
        matrix = np.vstack([matrix, np.zeros((1, kv.vector_size), dtype=np.float32)])
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-6)
    return words, matrix


def build_maps(train_sents):
    chars = Counter(c for tokens, _ in train_sents for t in tokens for c in norm(t)[:MAX_CHARS])
    char_list = ["<pad>", "<unk>"] + sorted(c for c, n in chars.items() if n >= 2)
    feats = Counter()
    for doc in _docs(train_sents):
        for fs in document_features([t for t, _ in doc]):
            for f in fs:
                feats.update(categorical_features(f))
    feat_list = sorted(f for f, n in feats.items() if n >= 3) + ["<oov>"]
    return char_list, feat_list


def make_model(cfg, n_words, n_chars, n_feats, n_labels, emb):
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.word_emb = nn.Embedding(n_words, emb.shape[1])
            self.word_emb.weight.data.copy_(torch.from_numpy(emb))
            self.word_emb.weight.requires_grad = cfg["tune_words"]
            self.word_proj = nn.Linear(emb.shape[1], cfg["word_proj"])
            self.char_emb = nn.Embedding(n_chars, cfg["char_dim"], padding_idx=0)
            for k in cfg["char_widths"]:
                setattr(self, f"char_conv{k}", nn.Conv1d(cfg["char_dim"], cfg["char_filters"], k, padding=k // 2))
            self.feat_emb = nn.EmbeddingBag(n_feats, cfg["feat_dim"], mode="sum")
            d_in = cfg["word_proj"] + cfg["char_filters"] * len(cfg["char_widths"]) + cfg["feat_dim"]
            self.drop = nn.Dropout(cfg["dropout"])
            self.lstm = nn.LSTM(d_in, cfg["hidden"], batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * cfg["hidden"], n_labels)
            self.crf_trans = nn.Parameter(torch.zeros(n_labels, n_labels))
            self.crf_start = nn.Parameter(torch.zeros(n_labels))
            self.crf_end = nn.Parameter(torch.zeros(n_labels))

        def emissions(self, words, chars, feat_ids, feat_offsets, lengths):
            B, T = words.shape
            w = self.word_proj(self.word_emb(words))
            ce = self.char_emb(chars.view(B * T, -1)).transpose(1, 2)
            pooled = [torch.relu(getattr(self, f"char_conv{k}")(ce)).max(dim=2).values for k in cfg["char_widths"]]
            c = torch.cat(pooled, dim=1).view(B, T, -1)
            f = self.feat_emb(feat_ids, feat_offsets).view(B, T, -1)
            x = self.drop(torch.cat([w, c, f], dim=2))
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=T)
            return self.out(self.drop(h))

        def nll(self, em, tags, mask):
            # log Z by the forward algorithm, minus the gold path score; masks pad positions.
            B, T, K = em.shape
            alpha = self.crf_start + em[:, 0]
            gold = self.crf_start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
            for t in range(1, T):
                m = mask[:, t].unsqueeze(1)
                nxt = torch.logsumexp(alpha.unsqueeze(2) + self.crf_trans, dim=1) + em[:, t]
                alpha = torch.where(m, nxt, alpha)
                step = self.crf_trans[tags[:, t - 1], tags[:, t]] + em[:, t].gather(1, tags[:, t:t + 1]).squeeze(1)
                gold = gold + step * mask[:, t]
            last = tags.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)
            gold = gold + self.crf_end[last]
            log_z = torch.logsumexp(alpha + self.crf_end, dim=1)
            return (log_z - gold).sum()

    return Net()


def _batch(items, torch):
    lengths = [len(e["words"]) for e, _ in items]
    T = max(lengths)
    B = len(items)
    words = torch.zeros(B, T, dtype=torch.long)
    chars = torch.zeros(B, T, MAX_CHARS, dtype=torch.long)
    tags = torch.zeros(B, T, dtype=torch.long)
    mask = torch.zeros(B, T, dtype=torch.bool)
    flat, offsets = [], []
    for b, (e, y) in enumerate(items):
        n = lengths[b]
        words[b, :n] = torch.from_numpy(e["words"])
        chars[b, :n] = torch.from_numpy(e["chars"])
        if y is not None:
            tags[b, :n] = torch.tensor(y)
        mask[b, :n] = True
        for t in range(T):
            offsets.append(len(flat))
            if t < n:
                flat.extend(e["feats"][t])
    return (words, chars, torch.tensor(flat, dtype=torch.long), torch.tensor(offsets, dtype=torch.long),
            torch.tensor(lengths), tags, mask)


def _viterbi_torch(model, em):
    import torch

    trans = model.crf_trans.detach().numpy()
    start, end = model.crf_start.detach().numpy(), model.crf_end.detach().numpy()
    em = em.numpy() if isinstance(em, torch.Tensor) else em
    score_, back = start + em[0], []
    for t in range(1, len(em)):
        cand = score_[:, None] + trans
        back.append(cand.argmax(0))
        score_ = cand.max(0) + em[t]
    best = [int((score_ + end).argmax())]
    for p in reversed(back):
        best.append(int(p[best[-1]]))
    return best[::-1]


def predict(model, encoded, labels, torch):
    model.eval()
    out, ems = [], []
    with torch.no_grad():
        for i in range(0, len(encoded), 64):
            chunk = encoded[i:i + 64]
            words, chars, fids, offs, lengths, _, _ = _batch([(e, None) for e in chunk], torch)
            em = model.emissions(words, chars, fids, offs, lengths)
            for b, e in enumerate(chunk):
                x = em[b, :len(e["words"])]
                ems.append(x.numpy())
                out.append([labels[j] for j in _viterbi_torch(model, x)])
    return out, ems


def export(model, path, meta):
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    arrays = {
        "word_emb": sd["word_emb.weight"], "char_emb": sd["char_emb.weight"], "feat_emb": sd["feat_emb.weight"],
        "crf.trans": sd["crf_trans"], "crf.start": sd["crf_start"], "crf.end": sd["crf_end"],
    }
    for k, v in sd.items():
        if k.startswith(("word_proj.", "char_conv", "lstm.", "out.")):
            arrays[k] = v
    arrays = {k: v.astype(np.float16) for k, v in arrays.items()}
    np.savez_compressed(path, meta=np.array(json.dumps(meta, ensure_ascii=False)), **arrays)


def train(train_bio: str, vectors: str, out_path: str, cfg: dict | None = None, log=print) -> dict:
    import torch
    from gensim.models import KeyedVectors

    cfg = dict(CONFIG, **(cfg or {}))
    torch.set_num_threads(1)  # 2 threads thrash on the shared 2-core machine
    random.seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    torch.manual_seed(cfg["seed"])
    t0 = time.time()
    sents = read_bio(train_bio)
    docs = _docs(sents)
    dev_docs = [d for i, d in enumerate(docs) if i % 10 == 9]
    trn_docs = [d for i, d in enumerate(docs) if i % 10 != 9]
    kv = KeyedVectors.load(vectors)
    vocab, emb = build_vocab(sents, kv, cfg["top_words"])
    char_list, feat_list = build_maps([s for d in trn_docs for s in d])
    labels = sorted({y for _, tags in sents for y in tags})
    lab = {y: i for i, y in enumerate(labels)}
    vmap, cmap, fmap = ({w: i for i, w in enumerate(x)} for x in (vocab, char_list, feat_list))

    def enc(ds):
        out = []
        for d in ds:
            for e, (_, tags) in zip(encode_document([t for t, _ in d], vmap, cmap, fmap), d):
                out.append((e, [lab[y] for y in tags]))
        return out

    trn, dev = enc(trn_docs), enc(dev_docs)
    log(f"encoded {len(trn)} train / {len(dev)} dev sentences, vocab {len(vocab)}, feats {len(feat_list)}, "
        f"chars {len(char_list)} in {time.time() - t0:.0f}s")
    model = make_model(cfg, len(vocab), len(char_list), len(feat_list), len(labels), emb)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg["lr"])
    best, best_state, best_epoch, stale = -1.0, None, 0, 0
    rng = random.Random(cfg["seed"])
    dev_gold = [[labels[j] for j in y] for _, y in dev]
    for epoch in range(1, cfg["epochs"] + 1):
        model.train()
        # Batches of similar length (little padding), in random order.
        order = list(range(len(trn)))
        rng.shuffle(order)
        order.sort(key=lambda j: len(trn[j][1]))
        batches = [order[i:i + cfg["batch"]] for i in range(0, len(order), cfg["batch"])]
        rng.shuffle(batches)
        total = 0.0
        for batch in batches:
            words, chars, fids, offs, lengths, tags, mask = _batch([trn[j] for j in batch], torch)
            em = model.emissions(words, chars, fids, offs, lengths)
            loss = model.nll(em, tags, mask) / len(lengths)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += float(loss.detach()) * len(lengths)
        pred, _ = predict(model, [e for e, _ in dev], labels, torch)
        f1 = score(dev_gold, pred)["micro"]["f1"]
        log(f"epoch {epoch} loss {total / len(trn):.3f} dev F1 {100 * f1:.2f} ({time.time() - t0:.0f}s)")
        if f1 > best:
            best, best_epoch, stale = f1, epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
        if stale >= cfg["patience"] or time.time() - t0 > cfg["max_minutes"] * 60:
            break
    model.load_state_dict(best_state)
    meta = {"labels": labels, "vocab": vocab, "chars": char_list, "feats": feat_list,
            "char_widths": cfg["char_widths"], "config": cfg, "dev_f1": best, "epoch": best_epoch,
            "torch": torch.__version__}
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    # Ship float16; compare numpy against torch running the same rounded weights.
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    export(model, out_path, meta)
    # The numpy forward pass must agree with torch on the dev set.
    _, ems = predict(model, [e for e, _ in dev], labels, torch)
    from marsad.ner.neural import NeuralTagger

    nt = NeuralTagger(out_path)
    diff, agree, n = 0.0, 0, 0
    for (e, _), em in zip(dev, ems):
        ne = nt.emissions(e)
        diff = max(diff, float(np.abs(ne - em).max()))
        a, b = nt.viterbi(ne), _viterbi_torch(model, em)
        agree += sum(x == y for x, y in zip(a, b))
        n += len(a)
    summary = {"out": out_path, "dev_f1": round(100 * best, 2), "epoch": best_epoch,
               "numpy_max_abs_emission_diff": round(diff, 4), "numpy_tag_agreement": round(agree / n, 5),
               "size_bytes": os.path.getsize(out_path), "seconds": round(time.time() - t0)}
    log(json.dumps(summary))
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Train the BiLSTM-CNN-CRF NER tagger (torch) and export it to numpy.")
    ap.add_argument("train_bio")
    ap.add_argument("vectors", help="gensim KeyedVectors from marsad.ner.embeddings")
    ap.add_argument("--out", default=None, help="default: the shipped data/ner/neural.npz")
    ap.add_argument("--config", default=None, help="JSON overrides of CONFIG")
    ap.add_argument("--seeds", type=int, nargs="+", default=list(SHIPPED_SEEDS),
                    help="one model per seed; two or more are merged into an ensemble file")
    args = ap.parse_args(argv)
    from marsad.ner.neural import default_model_path, merge

    out = args.out or default_model_path()
    overrides = json.loads(args.config or "{}")
    if len(args.seeds) == 1:
        train(args.train_bio, args.vectors, out, dict(overrides, seed=args.seeds[0]), log=lambda m: print(m, flush=True))
        return
    members = []
    for seed in args.seeds:
        path = f"{out}.seed{seed}.npz"
        train(args.train_bio, args.vectors, path, dict(overrides, seed=seed), log=lambda m: print(m, flush=True))
        members.append(path)
    merge(members, out)
    for path in members:
        os.remove(path)
    print(f"ensemble of {len(members)} written to {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
