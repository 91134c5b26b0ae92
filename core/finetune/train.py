"""A plain torch training loop: AdamW, one-cycle (or linear warm-up) schedule, dynamic padding,
evaluation on the validation split a few times per epoch, early stopping, best checkpoint in memory,
cooperative cancel. Optional masked-language-model pre-training for the from-scratch BERT.

The loop knows nothing about jobs or UI: it reports through `on_progress(fraction, message, record)`
and polls `should_stop()` before every step, so a cancel takes effect within one step. Its messages
are `messages.Text` (English; the page translates them: the loop does not know the reader's language).
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from core.errors import InputError
from core.finetune.messages import Text
from core.finetune.sources import SCRATCH, ModelSource, ScratchConfig
from core.i18n import N_

Progress = Callable[[float, str, "dict | None"], None]
SCRATCH_LR, PRETRAINED_LR = 3e-4, 5e-5


@dataclass
class TrainSettings:
    epochs: int = 4
    learning_rate: float | None = None   # None: 3e-4 from scratch, 5e-5 for pretrained models
    batch_size: int = 32
    max_length: int | None = None        # None: from the training texts (95th percentile, rounded up)
    warmup: float = 0.1                  # share of the steps spent warming up
    weight_decay: float = 0.01
    val_fraction: float = 0.1
    test_fraction: float = 0.2
    patience: int = 3                    # evaluations without improvement before stopping
    evals_per_epoch: int = 2
    seed: int = 42
    mlm_steps: int = 0                   # masked-LM pre-training steps (from scratch only)
    schedule: str = "onecycle"           # onecycle | linear
    pooling: str = "mean"                # mean | cls
    top_n_classes: int | None = None
    threads: int = 2                     # torch CPU threads
    scratch: ScratchConfig = field(default_factory=ScratchConfig)

    def lr_for(self, source: ModelSource) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        return SCRATCH_LR if source.kind == SCRATCH else PRETRAINED_LR

    def validate(self) -> None:
        if not 1 <= self.epochs <= 100:
            raise InputError("Epochs must be between 1 and 100.")
        if not (self.learning_rate is None or 0 < self.learning_rate <= 0.1):
            raise InputError("Learning rate must be in (0, 0.1].")
        if not 1 <= self.batch_size <= 1024:
            raise InputError("Batch size must be between 1 and 1024.")
        if not (self.max_length is None or 8 <= self.max_length <= 512):
            raise InputError("Max length must be between 8 and 512 tokens.")
        if not 0.0 <= self.warmup < 1.0:
            raise InputError("Warm-up must be a share of the steps in [0, 1).")
        if not 0.0 <= self.weight_decay <= 1.0:
            raise InputError("Weight decay must be between 0 and 1.")
        if not (self.patience >= 1 and self.evals_per_epoch >= 1):
            raise InputError("Patience and evaluations per epoch must be >= 1.")
        if not 0 <= self.mlm_steps <= 1_000_000:
            raise InputError("MLM pre-training steps must be >= 0.")
        if self.schedule not in ("onecycle", "linear"):
            raise InputError("Schedule must be 'onecycle' or 'linear'.")
        if self.pooling not in ("mean", "cls"):
            raise InputError("Pooling must be 'mean' or 'cls'.")
        if not 1 <= self.threads <= 64:
            raise InputError("Threads must be between 1 and 64.")
        self.scratch.validate()

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainOutcome:
    model: object                  # TextClassifier with the best weights loaded
    tokenizer: object
    max_length: int
    history: list[dict]
    stopped: str                   # completed | early_stopped | cancelled
    best_step: int
    best_val_macro_f1: float
    steps: int
    train_seconds: float           # time spent in training steps (forward/backward/update)
    samples_per_second: float
    device: str
    n_params: int


def pick_device():
    """(device, autocast factory or None, GradScaler or None): CUDA with bf16/fp16 when present."""
    import torch

    if torch.cuda.is_available():
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        scaler = torch.amp.GradScaler("cuda") if dtype == torch.float16 else None
        return torch.device("cuda"), (lambda: torch.autocast("cuda", dtype=dtype)), scaler
    return torch.device("cpu"), None, None


def suggest_max_length(lengths: np.ndarray, cap: int = 128) -> int:
    """95th percentile of token lengths, rounded up to a multiple of 8, within [16, cap]."""
    if len(lengths) == 0:
        return 16
    p95 = float(np.percentile(lengths, 95))
    return int(min(cap, max(16, math.ceil(p95 / 8) * 8)))


def token_lengths(tokenizer, texts: list[str]) -> np.ndarray:
    enc = tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
    return np.array([len(ids) for ids in enc], dtype=np.int64)


def truncated_share(lengths: np.ndarray, max_length: int) -> float:
    return float((np.asarray(lengths) > max_length).mean()) if len(lengths) else 0.0


def model_max_positions(encoder) -> int:
    return int(getattr(encoder.config, "max_position_embeddings", 512) or 512)


def _seed_all(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def _optimizer(model, lr: float, weight_decay: float):
    import torch

    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if param.ndim < 2 or "LayerNorm" in name or "norm" in name.lower() else decay).append(param)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)


def _scheduler(optimizer, kind: str, lr: float, total_steps: int, warmup: float):
    import torch

    total_steps = max(1, total_steps)
    if kind == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=lr, total_steps=total_steps, pct_start=max(warmup, 1e-3), anneal_strategy="cos",
            cycle_momentum=False,
        )
    warm = int(total_steps * warmup)

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / max(1, warm)
        return max(0.0, (total_steps - step) / max(1, total_steps - warm))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _mask_tokens(ids, mask, tokenizer, generator):
    """BERT masking: 15% of real tokens; of those 80% [MASK], 10% random, 10% unchanged."""
    import torch

    special = set(tokenizer.all_special_ids)
    labels = ids.clone()
    candidates = mask.bool() & ~torch.isin(ids, torch.tensor(sorted(special)))
    chosen = (torch.rand(ids.shape, generator=generator) < 0.15) & candidates
    labels[~chosen] = -100
    inputs = ids.clone()
    replace = chosen & (torch.rand(ids.shape, generator=generator) < 0.8)
    inputs[replace] = tokenizer.mask_token_id
    rand = chosen & ~replace & (torch.rand(ids.shape, generator=generator) < 0.5)
    inputs[rand] = torch.randint(len(special), len(tokenizer), ids.shape, generator=generator)[rand]
    return inputs, labels


def mlm_pretrain(encoder, tokenizer, seqs, steps, batch_size, lr, seed, device, report, should_stop):
    """Masked-LM pre-training of a from-scratch BertModel on the training texts; returns the encoder."""
    import torch
    from transformers import BertForMaskedLM

    mlm = BertForMaskedLM(encoder.config)
    mlm.bert.load_state_dict(encoder.state_dict())
    mlm.to(device).train()
    opt = _optimizer(mlm, lr, 0.01)
    sched = _scheduler(opt, "onecycle", lr, steps, 0.1)
    gen = torch.Generator().manual_seed(seed)
    long_enough = [s for s in seqs if len(s) > 2] or seqs
    for step in range(steps):
        if should_stop():
            break
        pick = torch.randint(0, len(long_enough), (batch_size,), generator=gen).tolist()
        from core.finetune.model import pad_batch

        ids, mask = pad_batch([long_enough[i] for i in pick], tokenizer.pad_token_id)
        inputs, labels = _mask_tokens(ids, mask, tokenizer, gen)
        loss = mlm(input_ids=inputs.to(device), attention_mask=mask.to(device), labels=labels.to(device)).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(mlm.parameters(), 1.0)
        opt.step()
        sched.step()
        report(step + 1, {"phase": "mlm", "step": step + 1, "loss": round(loss.item(), 5)})
    encoder.load_state_dict(mlm.bert.state_dict())
    return encoder


def train_classifier(
    texts: list[str],
    y: np.ndarray,
    n_classes: int,
    train_idx: np.ndarray,
    val_idx: np.ndarray,
    source: ModelSource,
    settings: TrainSettings,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_best: Callable[[object, object, int, int, float], None] | None = None,
) -> TrainOutcome:
    """Build or load the model for `source`, train on `train_idx`, keep the best on `val_idx`.

    `on_best(model, tokenizer, max_length, step, val_macro_f1)` is called at each new best (to keep
    a checkpoint on disk that survives a server restart)."""
    import torch
    import torch.nn.functional as F
    from sklearn.metrics import f1_score

    from core.finetune.model import TextClassifier, pad_batch, predict_logits
    from core.finetune.sources import build_scratch_encoder, build_tokenizer, load_pretrained, resolve_model_dir

    settings.validate()
    report = on_progress or (lambda frac, msg, rec: None)
    stop = should_stop or (lambda: False)
    device, autocast, scaler = pick_device()
    if device.type == "cpu":
        torch.set_num_threads(settings.threads)
    _seed_all(settings.seed)
    train_texts = [texts[i] for i in train_idx]

    # Tokenizer and encoder.
    if source.kind == SCRATCH:
        report(0.0, Text(N_("training the WordPiece tokenizer")), None)
        tokenizer = build_tokenizer(train_texts, settings.scratch.vocab_size, settings.max_length or 512)
        lengths = token_lengths(tokenizer, train_texts)
        max_length = settings.max_length or suggest_max_length(lengths)
        encoder = build_scratch_encoder(settings.scratch, tokenizer, max_length)
    else:
        report(0.0, Text(N_("loading the model")), None)
        tokenizer, encoder = load_pretrained(resolve_model_dir(source), source.shown or None)
        limit = min(model_max_positions(encoder), 512)
        max_length = min(settings.max_length or suggest_max_length(token_lengths(tokenizer, train_texts), cap=256), limit)
    tokenizer.model_max_length = max_length
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    seqs = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]

    steps_per_epoch = math.ceil(len(train_idx) / settings.batch_size)
    total_steps = steps_per_epoch * settings.epochs
    mlm_steps = settings.mlm_steps if source.kind == SCRATCH else 0
    units = max(1, total_steps + mlm_steps)
    if mlm_steps:
        encoder = mlm_pretrain(
            encoder, tokenizer, [seqs[i] for i in train_idx], mlm_steps, settings.batch_size, 5e-4, settings.seed,
            device, lambda s, rec: report(s / units, Text(N_("MLM pre-training step {step}/{steps}"), step=s,
                                                          steps=mlm_steps), rec), stop,
        )

    model = TextClassifier(encoder, n_classes, settings.pooling, settings.scratch.dropout).to(device)
    lr = settings.lr_for(source)
    opt = _optimizer(model, lr, settings.weight_decay)
    sched = _scheduler(opt, settings.schedule, lr, total_steps, settings.warmup)
    y_t = torch.as_tensor(np.asarray(y), dtype=torch.long)
    val_seqs, val_y = [seqs[i] for i in val_idx], np.asarray(y)[val_idx]
    eval_every = max(1, steps_per_epoch // settings.evals_per_epoch)
    log_every = max(1, total_steps // 200)
    gen = torch.Generator().manual_seed(settings.seed)

    history: list[dict] = []
    best = {"f1": -1.0, "step": 0, "state": None}
    bad_evals, step, stopped = 0, 0, "completed"
    train_seconds, samples, running = 0.0, 0, []

    def evaluate() -> dict:
        nonlocal bad_evals
        logits = predict_logits(model, val_seqs, pad_id, device, autocast=autocast)
        val_loss = F.cross_entropy(logits, torch.as_tensor(val_y)).item()
        pred = logits.argmax(1).numpy()
        f1 = float(f1_score(val_y, pred, average="macro", labels=list(range(n_classes)), zero_division=0))
        rec = {"phase": "eval", "step": step, "epoch": round(step / steps_per_epoch, 3), "val_loss": round(val_loss, 5),
               "val_accuracy": round(float((pred == val_y).mean()), 5), "val_macro_f1": round(f1, 5)}
        if f1 > best["f1"]:
            best.update(f1=f1, step=step, state={k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()})
            bad_evals = 0
            if on_best is not None:
                on_best(model, tokenizer, max_length, step, f1)
        else:
            bad_evals += 1
        model.train()
        return rec

    model.train()
    for epoch in range(settings.epochs):
        order = torch.randperm(len(train_idx), generator=gen).tolist()
        for b in range(steps_per_epoch):
            if stop():
                stopped = "cancelled"
                break
            t0 = time.perf_counter()
            idx = [int(train_idx[i]) for i in order[b * settings.batch_size : (b + 1) * settings.batch_size]]
            ids, mask = pad_batch([seqs[i] for i in idx], pad_id)
            ids, mask, target = ids.to(device), mask.to(device), y_t[idx].to(device)
            with autocast() if autocast else contextlib.nullcontext():
                loss = F.cross_entropy(model(ids, mask).float(), target)
            opt.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(opt)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
            sched.step()
            step += 1
            train_seconds += time.perf_counter() - t0
            samples += len(idx)
            running.append(loss.item())
            message = Text(N_("epoch {epoch}/{epochs} · step {step}/{steps} · loss {loss:.3f}"), epoch=epoch + 1,
                           epochs=settings.epochs, step=step, steps=total_steps, loss=running[-1])
            record = None
            if step % log_every == 0 or step == total_steps:
                record = {"phase": "train", "step": step, "epoch": round(step / steps_per_epoch, 3),
                          "loss": round(float(np.mean(running)), 5), "lr": sched.get_last_lr()[0]}
                running = []
            if step % eval_every == 0 or b == steps_per_epoch - 1:
                if record is not None:
                    report((mlm_steps + step) / units, message, record)
                    history.append(record)
                record = evaluate()
            if record is not None:
                history.append(record)
                report((mlm_steps + step) / units, message, record)
            elif step % 5 == 0:
                report((mlm_steps + step) / units, message, None)
            if bad_evals >= settings.patience and step < total_steps:
                stopped = "early_stopped"
                break
        if stopped != "completed":
            break

    if best["state"] is None:  # cancelled before the first evaluation: the current weights are the best so far
        history.append(evaluate())
    model.load_state_dict(best["state"])
    model.eval()
    return TrainOutcome(
        model=model, tokenizer=tokenizer, max_length=max_length, history=history, stopped=stopped,
        best_step=int(best["step"]), best_val_macro_f1=float(best["f1"]), steps=step, train_seconds=train_seconds,
        samples_per_second=samples / train_seconds if train_seconds > 0 else 0.0, device=str(device),
        n_params=sum(p.numel() for p in model.parameters()),
    )


def default_settings(source: ModelSource) -> TrainSettings:
    """Defaults per model kind: from scratch needs a high LR and a few epochs; pretrained models a low LR."""
    if source.kind == SCRATCH:
        return TrainSettings(epochs=4, batch_size=32, learning_rate=SCRATCH_LR)
    return TrainSettings(epochs=2, batch_size=16, learning_rate=PRETRAINED_LR, patience=2)
