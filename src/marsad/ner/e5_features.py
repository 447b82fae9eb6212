"""Frozen e5-small features for a tagger head (experimental; the feature-based variant of
:mod:`marsad.ner.train_transformer`).

    python -m marsad.ner.e5_features extract BIO OUT.npz     # torch, no grad
    python -m marsad.ner.e5_features train TRAIN.npz TRAIN.bio MODEL.pt [--test ...]

``extract`` runs the frozen 4-bit-derived encoder once over a BIO file and stores, for the first
sub-token of every word, the hidden state after the embeddings and after each of the 12 layers
(float16, ``(n_words, 13, 384)``) plus, for every sub-token, the output of layer ``--cache-layer``
(so that the top layers can later be fine-tuned from a cache).
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from marsad.ner.bio import read_bio
from marsad.ner.e5_weights import load
from marsad.ner.transformer import MAX_LEN, word_windows


def extract(bio: str, out: str, threads: int = 2, max_tokens: int = 4096, cache_layer: int = 8) -> dict:
    import torch

    from marsad.ner.train_transformer import build_model

    torch.set_num_threads(threads)
    f = load(None)
    tok = f.tokenizer
    sents = read_bio(bio)
    wins = []
    for si, (tokens, _) in enumerate(sents):
        for ids, pos, words in word_windows(tokens, tok, MAX_LEN):
            wins.append((ids, pos, si, words))
    offs = np.zeros(len(sents) + 1, np.int64)
    offs[1:] = np.cumsum([len(t) for t, _ in sents])
    feats = np.zeros((offs[-1], f.NL + 1, f.H), np.float16)
    win_offs = np.zeros(len(wins) + 1, np.int64)
    win_offs[1:] = np.cumsum([len(w[0]) for w in wins])
    cache = np.zeros((win_offs[-1], f.H), np.float16)
    model = build_model(torch, f, 0, 1.0, 9, False, False, 0.0).eval()
    order = sorted(range(len(wins)), key=lambda i: (len(wins[i][0]), i))
    t0 = time.time()
    done = 0
    i = 0
    with torch.no_grad():
        while i < len(order):
            j = i
            while j < len(order) and len(wins[order[j]][0]) * (j - i + 1) <= max_tokens:
                j += 1
            j = max(j, i + 1)
            batch = order[i:j]
            L = max(len(wins[b][0]) for b in batch)
            ids = np.full((len(batch), L), f.pad, np.int64)
            mask = np.zeros((len(batch), L), np.float32)
            for r, b in enumerate(batch):
                ids[r, :len(wins[b][0])] = wins[b][0]
                mask[r, :len(wins[b][0])] = 1
            emb = torch.from_numpy(f.word_rows(ids.reshape(-1)).reshape(len(batch), L, f.H))
            m = torch.from_numpy(mask)
            x = model.eln(emb + model.pos[:L] + model.typ)
            bias = torch.zeros(m.shape).masked_fill(m == 0, -1e9)[:, None, None, :]
            states = [x]
            for layer in model.layers:
                x = layer(x, bias)
                states.append(x)
            st = torch.stack(states, 2).numpy()  # (B, L, 13, H)
            for r, b in enumerate(batch):
                wid, pos, si, words = wins[b]
                feats[offs[si] + np.array(words)] = st[r, pos]
                cache[win_offs[b]:win_offs[b + 1]] = st[r, :len(wid), cache_layer]
            done += len(batch)
            i = j
            if done % 200 < len(batch):
                el = time.time() - t0
                print(f"  {done}/{len(wins)} windows {el:.0f}s", flush=True)
    np.savez(out, feats=feats, offs=offs, cache=cache, win_offs=win_offs,
             win_sent=np.array([w[2] for w in wins]), cache_layer=np.int64(cache_layer))
    return {"sentences": len(sents), "words": int(offs[-1]), "subtokens": int(win_offs[-1]), "windows": len(wins),
            "seconds": round(time.time() - t0, 1)}


LABELS = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]


def _load_feats(path: str, fixed: list[int] | None = None):
    """Word features and sentence offsets; with ``fixed``, the float32 mean of those layer states
    (shape (n_words, 1, H)) instead of all states."""
    z = np.load(path)
    feats, offs = z["feats"], z["offs"]
    if fixed:
        out = np.empty((len(feats), 1, feats.shape[2]), np.float32)
        for i in range(0, len(feats), 8192):
            out[i:i + 8192, 0] = feats[i:i + 8192][:, fixed].astype(np.float32).mean(1)
        feats = out
    return feats, offs


def build_head(torch, n_layers: int, dim: int, hidden: int, dropout: float, n_labels: int, layers=None):
    nn = torch.nn

    class Head(nn.Module):
        """Scalar mix over the layer states -> BiLSTM -> linear emissions -> CRF."""

        def __init__(self):
            super().__init__()
            self.layer_ids = list(layers) if layers is not None else list(range(n_layers))
            self.mix = nn.Parameter(torch.zeros(len(self.layer_ids)))
            self.gamma = nn.Parameter(torch.ones(()))
            self.drop = nn.Dropout(dropout)
            self.lstm = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True) if hidden else None
            self.out = nn.Linear(2 * hidden if hidden else dim, n_labels)
            self.trans = nn.Parameter(torch.zeros(n_labels, n_labels))
            self.start = nn.Parameter(torch.zeros(n_labels))
            self.end = nn.Parameter(torch.zeros(n_labels))

        def emissions(self, x, lengths):
            x = x[:, :, self.layer_ids]
            w = torch.softmax(self.mix, 0)
            x = self.gamma * (x * w[None, None, :, None]).sum(2)
            x = self.drop(x)
            if self.lstm is not None:
                packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
                x, _ = self.lstm(packed)
                x, _ = nn.utils.rnn.pad_packed_sequence(x, batch_first=True, total_length=lengths.max().item())
                x = self.drop(x)
            return self.out(x)

    return Head()


def crf_marginals(torch, em, wmask, trans, start, end):
    """Per-word label marginals of a linear-chain CRF (forward-backward), (B, W, K)."""
    B, W, K = em.shape
    alphas = [start + em[:, 0]]
    for t in range(1, W):
        nxt = torch.logsumexp(alphas[-1][:, :, None] + trans[None] + em[:, t, None, :], dim=1)
        alphas.append(torch.where(wmask[:, t, None], nxt, alphas[-1]))
    lengths = wmask.sum(1)
    betas = [None] * W
    beta = end.expand(B, K).clone()
    for t in range(W - 1, -1, -1):
        # beta_t for t == len-1 is `end`; for t < len-1 it is logsumexp(trans + em[t+1] + beta_{t+1})
        if t < W - 1:
            nb = torch.logsumexp(trans[None] + (em[:, t + 1] + beta)[:, None, :], dim=2)
            beta = torch.where((t < lengths - 1)[:, None], nb, end.expand(B, K))
        betas[t] = beta
    a = torch.stack(alphas, 1)
    b = torch.stack(betas, 1)
    z = torch.logsumexp(alphas[-1] + end, dim=1)
    return torch.exp(a + b - z[:, None, None])


def _batches(lengths, max_words, rng=None):
    """Length-bucketed batches (positions into ``lengths``) of at most ``max_words`` padded words."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    out, cur, cur_max = [], [], 0
    for i in order:
        n = max(1, int(lengths[i]))
        if cur and max(cur_max, n) * (len(cur) + 1) > max_words:
            out.append(np.array(cur))
            cur, cur_max = [], 0
        cur.append(i)
        cur_max = max(cur_max, n)
    if cur:
        out.append(np.array(cur))
    if rng is not None:
        rng.shuffle(out)
    return out


def _tensorise(torch, feats, offs, sent_ids, tags=None):
    lens = np.array([offs[s + 1] - offs[s] for s in sent_ids])
    W = max(1, int(lens.max()))
    B = len(sent_ids)
    x = np.zeros((B, W) + feats.shape[1:], np.float32)
    y = np.zeros((B, W), np.int64)
    m = np.zeros((B, W), bool)
    for r, s in enumerate(sent_ids):
        n = lens[r]
        x[r, :n] = feats[offs[s]:offs[s + 1]]
        m[r, :n] = True
        if tags is not None:
            y[r, :n] = tags[s]
    return torch.from_numpy(x), torch.from_numpy(np.maximum(lens, 1)), torch.from_numpy(m), torch.from_numpy(y)


def head_scores(torch, model, feats, offs, sent_ids, bs=64, marginals=False):
    from marsad.ner.transformer import viterbi

    model.eval()
    tags, margs = {}, {}
    sent_ids = sorted(sent_ids, key=lambda s: (offs[s + 1] - offs[s], s))
    with torch.no_grad():
        for i in range(0, len(sent_ids), bs):
            ids = sent_ids[i:i + bs]
            x, lens, m, _ = _tensorise(torch, feats, offs, ids)
            em = model.emissions(x, lens)
            if marginals:
                mg = crf_marginals(torch, em, m, model.trans, model.start, model.end).numpy()
            emn = em.numpy()
            tr, st, en = (p.detach().numpy() for p in (model.trans, model.start, model.end))
            for r, s in enumerate(ids):
                n = int(offs[s + 1] - offs[s])
                tags[s] = [LABELS[k] for k in viterbi(emn[r, :n], tr, st, en)] if n else []
                if marginals:
                    margs[s] = mg[r, :n]
    return tags, margs


def train_head(args) -> dict:
    import torch

    from marsad.ner.evaluate import score
    from marsad.ner.train_transformer import DOC_SIZE, crf_nll

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    fixed = [int(v) for v in args.fixed.split(",")] if args.fixed else None
    feats, offs = _load_feats(args.feats, fixed)
    sents = read_bio(args.train_bio)
    lab = {t: i for i, t in enumerate(LABELS)}
    tags = [np.array([lab.get(t, 0) for t in tg]) for _, tg in sents]
    docs = [list(range(i, min(i + DOC_SIZE, len(sents)))) for i in range(0, len(sents), DOC_SIZE)]
    if args.folds:
        tr = [s for d, doc in enumerate(docs) if d % args.folds != args.fold for s in doc]
        dev = [s for d, doc in enumerate(docs) if d % args.folds == args.fold for s in doc]
    elif args.no_dev:
        tr, dev = [s for doc in docs for s in doc], []
    else:
        tr = [s for d, doc in enumerate(docs) if d % 10 != 9 for s in doc]
        dev = [s for d, doc in enumerate(docs) if d % 10 == 9 for s in doc]
    layers = [int(v) for v in args.layers.split(",")] if args.layers and not fixed else None
    model = build_head(torch, feats.shape[1], feats.shape[2], args.hidden, args.dropout, len(LABELS), layers)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    log = {"train_sentences": len(tr), "dev_sentences": len(dev), "epochs": []}
    best, best_state, t_start = -1.0, None, time.time()
    tr_arr = np.array(tr)
    for ep in range(args.epochs):
        model.train()
        t0 = time.time()
        tot = 0.0
        for b in _batches(np.diff(offs)[tr_arr], args.batch, rng):
            x, lens, m, y = _tensorise(torch, feats, offs, tr_arr[b], tags)
            em = model.emissions(x, lens)
            loss = crf_nll(torch, em, y, m, model.trans, model.start, model.end)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            tot += loss.item()
        row = {"epoch": ep + 1, "loss": round(tot, 2), "train_s": round(time.time() - t0, 1)}
        if dev:
            pred, _ = head_scores(torch, model, feats, offs, dev)
            res = score([sents[s][1] for s in dev], [pred[s] for s in dev])
            f1 = res["micro"]["f1"] * 100
            row["dev_f1"] = round(f1, 2)
        else:
            f1 = ep
        log["epochs"].append(row)
        print(json.dumps(row), flush=True)
        if f1 > best or (args.folds and ep == args.epochs - 1):
            # cross-fitting keeps the last epoch: the held-out fold must not pick its own model
            best, log["best_epoch"] = f1, ep + 1
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    log["mix"] = [round(float(v), 3) for v in torch.softmax(model.mix, 0)]
    log["best_dev_f1"] = round(best, 2) if dev else None
    log["train_seconds"] = round(time.time() - t_start, 1)
    torch.save({"state": model.state_dict(), "args": vars(args)}, args.out)
    if args.folds:
        _, margs = head_scores(torch, model, feats, offs, dev, marginals=True)
        np.savez(args.out.replace(".pt", ".heldout.npz"), **{f"s{s}": margs[s] for s in dev})
    if args.test_feats:
        tf, to = _load_feats(args.test_feats, fixed)
        ts = read_bio(args.test_bio)
        ids = list(range(len(ts)))
        pred, margs = head_scores(torch, model, tf, to, ids, marginals=True)
        res = score([t for _, t in ts], [pred[s] for s in ids])
        log["test"] = {k: {"p": round(v["precision"] * 100, 2), "r": round(v["recall"] * 100, 2), "f1": round(v["f1"] * 100, 2)}
                       for k, v in list(res["types"].items()) + [("micro", res["micro"])]}
        np.savez(args.out.replace(".pt", ".test.npz"), **{f"s{s}": margs[s] for s in ids})
    print(json.dumps({k: v for k, v in log.items() if k != "epochs"}), flush=True)
    with open(args.out.replace(".pt", ".log.json"), "w") as fh:
        json.dump(log, fh, indent=1)
    return log


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract")
    e.add_argument("bio")
    e.add_argument("out")
    e.add_argument("--threads", type=int, default=2)
    e.add_argument("--cache-layer", type=int, default=8)
    t = sub.add_parser("train")
    t.add_argument("feats")
    t.add_argument("train_bio")
    t.add_argument("out")
    t.add_argument("--test-feats")
    t.add_argument("--test-bio")
    t.add_argument("--hidden", type=int, default=256)
    t.add_argument("--dropout", type=float, default=0.3)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--epochs", type=int, default=20)
    t.add_argument("--batch", type=int, default=1000, help="padded words per batch")
    t.add_argument("--layers", default=None, help="comma-separated layer states to mix (0 = embeddings)")
    t.add_argument("--fixed", default=None, help="comma-separated layer states averaged once (no learned mix)")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--folds", type=int, default=0)
    t.add_argument("--fold", type=int, default=0)
    t.add_argument("--no-dev", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "train":
        train_head(args)
    if args.cmd == "extract":
        print(json.dumps(extract(args.bio, args.out, args.threads, cache_layer=args.cache_layer)))


if __name__ == "__main__":
    main()
