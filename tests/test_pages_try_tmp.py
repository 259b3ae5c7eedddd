import sys, pytest
from tests.pages_fixture import *

def test_try(pages_env):
    for params in ({"month": "2026-06", "entity": "penalties"},):
        at = app("office", page="data_quality", params=params)
        print("EXC", [e.value for e in at.exception])
        print(texts(at)[:3000])
        print(at.query_params)
        for d in at.dataframe: print(d.value.head(8).to_string())
