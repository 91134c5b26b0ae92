"""Small, fast topic models for the topics tests (built directly with scikit-learn, no sweep)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from core.topics.model import TopicModel

INJECTION = "</script><script>document.title='PWNED'</script>"

_THEMES = [
    ["比赛", "球队", "进球", "冠军", "教练", "球迷"],
    ["股市", "基金", "投资", "银行", "利率", "上涨"],
    ["手机", "芯片", "电脑", "软件", "网络", "发布"],
]


def synthetic_docs(n_docs: int = 90, seed: int = 0, injection: bool = True) -> tuple[list[list[str]], list[str]]:
    """Token lists drawn from 3 themes (+ the injection term in theme 0), and their theme label."""
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    for i in range(n_docs):
        t = i % 3
        words = list(rng.choice(_THEMES[t], size=8)) + list(rng.choice(sum(_THEMES, []), size=2))
        if injection and t == 0 and i % 2 == 0:
            words += [INJECTION, INJECTION]
        docs.append([str(w) for w in words])
        labels.append(["体育", "财经", "科技"][t])
    return docs, labels


def make_model(k: int = 3, n_docs: int = 90, seed: int = 0, injection: bool = True, empty_rows=()) -> TopicModel:
    """A sklearn-LDA TopicModel; `empty_rows` are corpus rows left out of the model (like empty docs)."""
    from sklearn.decomposition import LatentDirichletAllocation

    docs, _ = synthetic_docs(n_docs, seed, injection)
    vocab = np.array(sorted({w for d in docs for w in d}), dtype=object)
    index = {w: j for j, w in enumerate(vocab)}
    rows, cols = [], []
    doc_rows = [r for r in range(n_docs) if r not in set(empty_rows)]
    for i, r in enumerate(doc_rows):
        for w in docs[r]:
            rows.append(i)
            cols.append(index[w])
    dtm = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(len(doc_rows), len(vocab)))
    lda = LatentDirichletAllocation(n_components=k, random_state=seed, max_iter=20).fit(dtm)
    phi = lda.components_ / lda.components_.sum(1, keepdims=True)
    theta = lda.transform(dtm)
    return TopicModel(engine="sklearn", k=k, seed=seed, topic_word=phi, doc_topic=theta, vocab=vocab, dtm=dtm,
                      doc_rows=np.asarray(doc_rows, dtype=np.int64), params={"iterations": 20}, data_key="test-key")
