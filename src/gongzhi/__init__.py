"""Gongzhi (共治): governance and services of Chinese residential communities."""
