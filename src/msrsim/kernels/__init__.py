"""Numeric kernels: SI floats and numpy arrays only, compiled with numba where it pays.

Kernels import no models, no pydantic, no astropy, and do no I/O.
"""
