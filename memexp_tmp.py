import gc, time, random
from streamlit.testing.v1 import AppTest
from core.corpus import LoadOptions
def lists(): gc.collect(); return sum(1 for o in gc.get_objects() if type(o) is list)
at = AppTest.from_file("app.py", default_timeout=120).run()
at.switch_page("pages/terms.py").run()
del at; gc.collect(); time.sleep(1)
base = lists()
rng = random.Random(1)
vocab=[f"w{i}" for i in range(4000)]
csv = "text,label\n" + "\n".join(" ".join(rng.choices(vocab,k=30))+","+rng.choice("abcd") for _ in range(15000))
at = AppTest.from_file("app.py", default_timeout=120).run()
at.file_uploader(key="corpus_upload").set_value(("x.csv", csv.encode(), "text/csv"))
at.run()
at.switch_page("pages/terms.py").run()
print("exc", at.exception)
from ui import state
print("during", lists()-base, len(state._memo_store()))
del at
for i in range(30):
    gc.collect(); time.sleep(0.2)
print("after", lists()-base, len(state._memo_store()))
# find a token list
cands = [o for o in gc.get_objects() if type(o) is list and len(o)==30 and all(isinstance(x,str) and x.startswith("w") for x in o[:3])]
print("token-like lists", len(cands))
if cands:
    r = gc.get_referrers(cands[0])
    for x in r[:3]:
        print(type(x), len(x) if hasattr(x,'__len__') else '')
        for y in gc.get_referrers(x)[:5]:
            print("   ", type(y), (list(y.keys())[:8] if isinstance(y, dict) else ''))
