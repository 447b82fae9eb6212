"""Offline Arabic named-entity recognition: a CRF trained on ANERcorp plus news trigger rules.

Modules: :mod:`bio` (BIO files and exact-span chunks), :mod:`tokenize` (offsets-preserving
tokeniser), :mod:`clitics` (proclitic stripping), :mod:`lexicon` (shipped word lists),
:mod:`features` (CRF features), :mod:`model` (load and run the shipped CRF), :mod:`rules`
(title/role, organisation and gazetteer rules), :mod:`train` and :mod:`evaluate`.
"""
