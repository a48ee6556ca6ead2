"""CP-SAT models, one per part, with shared parameters and Result."""

from solver.params import Result, SolveParams
from solver.training import InfeasibleError, solve

__all__ = ["InfeasibleError", "Result", "SolveParams", "solve"]
