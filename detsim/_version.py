"""The version of detsim, recorded in every trace."""
__version__ = "0.1.0"
