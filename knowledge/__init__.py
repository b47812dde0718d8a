"""FactBot's shipped knowledge base: data files only (sources, facts, aliases).

It is a package so that the files travel inside the wheel and are found with
``importlib.resources`` wherever FactBot is installed.
"""
