"""Công Sở: an open-source digital-government platform for Vietnamese provinces."""
