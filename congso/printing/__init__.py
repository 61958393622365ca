"""Printed forms of the one-stop mechanism (TT 01/2018/TT-VPCP forms 01–06) as PDF."""
