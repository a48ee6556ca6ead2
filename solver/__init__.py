"""CP-SAT models, one per part, with shared parameters and Result."""

from solver.params import Result, SolveParams
from solver.training import solve

__all__ = ["Result", "SolveParams", "solve"]
