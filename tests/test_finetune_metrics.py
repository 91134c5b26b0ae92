"""core.finetune.metrics.verdict: the one-sentence judgement beside the baseline."""

from core.finetune.metrics import verdict


def test_verdict_levels():
    assert verdict(0.10, 0.68, [0.1] * 10)[0] == "warning" and "chance" in verdict(0.10, 0.68, [0.1] * 10)[1]
    assert verdict(0.90, 0.87, [0.25] * 4) == ("success", "The fine-tuned model beats the TF-IDF baseline by 3.0 points.")
    level, text = verdict(0.82, 0.84, [0.1] * 10)
    assert level == "info" and "within 2.0 points" in text
    level, text = verdict(0.60, 0.84, [0.1] * 10)
    assert level == "warning" and "24.0 points better" in text
    # majority class of 80%: 81% accuracy is still chance level
    assert verdict(0.81, 0.85, [0.8, 0.2])[0] == "warning"
