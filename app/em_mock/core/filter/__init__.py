"""The query service's filter language: lexer, parser, AST and evaluation."""

from em_mock.core.filter.ast import And, Comparison, Expr, Or
from em_mock.core.filter.evaluate import compile_predicate
from em_mock.core.filter.parser import MAX_DEPTH, MAX_LENGTH, FilterError, parse_filter

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "And",
    "Comparison",
    "Expr",
    "FilterError",
    "Or",
    "compile_predicate",
    "parse_filter",
]
