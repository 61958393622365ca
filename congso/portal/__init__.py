"""Public pages of the service portal that need no login (TT 01/2018 arts. 16–18)."""
