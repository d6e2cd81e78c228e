"""PyTorch peer of the `@modular/bench` peers suite.

Trains the MLP that the suite describes in a JSON job file, in two ways:
`linear` (torch.nn.Linear layers) and `conv1d` (the same layers as 1-wide
convolutions over a length-1 sequence). Debian's python3-torch 1.13 links a
reference BLAS, so `linear` runs its matrix products slowly, while
`conv1d` runs through oneDNN's optimised CPU kernels. Both variants start
from the weights in the job, visit the training samples in the job's order,
and use the same Adam settings.

Usage: python3 torch_mlp.py JOB.json. The result is one JSON object on
stdout; errors go to stderr with exit status 1.
"""

import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# Iterations of one timed repeat never exceed this, as in the suite's timing.ts.
MAX_ITERATIONS = 1000


def read_array(path, dtype, shape):
    """Read a little-endian raw file written by the suite, checking its size."""
    values = np.fromfile(path, dtype=dtype)
    expected = int(np.prod(shape))
    if values.size != expected:
        raise ValueError(f"{path}: expected {expected} values of {dtype} for shape {shape}, found {values.size}")
    return torch.from_numpy(values.reshape(shape).copy())


def load_job(path):
    with open(path, encoding="utf-8") as file:
        job = json.load(file)
    widths = job["widths"]
    files = job["files"]
    features = widths[0]
    data = {
        "train_x": read_array(files["trainX"], "<f4", (job["trainSize"], features)),
        "train_y": read_array(files["trainY"], "<i4", (job["trainSize"],)).long(),
        "test_x": read_array(files["testX"], "<f4", (job["testSize"], features)),
        "test_y": read_array(files["testY"], "<i4", (job["testSize"],)).long(),
        "order": read_array(files["order"], "<i4", (job["epochs"], job["trainSize"])).long(),
        "weights": [
            read_array(files["weights"][i], "<f4", (widths[i], widths[i + 1])) for i in range(len(widths) - 1)
        ],
        "biases": [read_array(files["biases"][i], "<f4", (widths[i + 1],)) for i in range(len(widths) - 1)],
    }
    return job, data


class Mlp(torch.nn.Module):
    """ReLU MLP whose layers are nn.Linear (`linear`) or 1-wide nn.Conv1d (`conv1d`)."""

    def __init__(self, variant, weights, biases):
        super().__init__()
        self.variant = variant
        layers = []
        for weight, bias in zip(weights, biases):
            # The suite stores weights as [in, out]; both PyTorch layers store [out, in, ...].
            fan_in, fan_out = weight.shape
            if variant == "linear":
                layer = torch.nn.Linear(fan_in, fan_out)
                layer.weight.data.copy_(weight.t())
            else:
                layer = torch.nn.Conv1d(fan_in, fan_out, kernel_size=1)
                layer.weight.data.copy_(weight.t().unsqueeze(2))
            layer.bias.data.copy_(bias)
            layers.append(layer)
        self.layers = torch.nn.ModuleList(layers)

    def forward(self, x):
        # conv1d receives a batch of length-1 sequences with `features` channels: [N, C, 1].
        h = x if self.variant == "linear" else x.unsqueeze(2)
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i + 1 < len(self.layers):
                h = F.relu(h)
        return h if self.variant == "linear" else h.squeeze(2)


def make_model(job, data, variant):
    model = Mlp(variant, data["weights"], data["biases"])
    adam = job["adam"]
    optimizer = torch.optim.Adam(
        model.parameters(), lr=adam["lr"], betas=(adam["beta1"], adam["beta2"]), eps=adam["epsilon"]
    )
    return model, optimizer


def train_step(model, optimizer, x, y):
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def timed_run(model, optimizer, x, y, iterations):
    start = time.perf_counter()
    for _ in range(iterations):
        loss = train_step(model, optimizer, x, y)
    loss.item()
    return (time.perf_counter() - start) * 1000


def time_step(job, data, variant):
    """Time one training step on the first batch of epoch 1, as the suite's `measure` does."""
    timing = job["timing"]
    model, optimizer = make_model(job, data, variant)
    first = data["order"][0][: job["batchSize"]]
    x, y = data["train_x"][first], data["train_y"][first]

    last_warmup_ms = 0.0
    for _ in range(timing["warmup"]):
        last_warmup_ms = timed_run(model, optimizer, x, y, 1)
    estimate = int(-(-timing["minRepeatMs"] // max(last_warmup_ms, 1e-3)))
    iterations = min(max(estimate, 1), MAX_ITERATIONS)
    samples = [timed_run(model, optimizer, x, y, iterations) / iterations for _ in range(timing["repeats"])]
    return {"medianMs": statistics.median(samples), "samplesMs": samples, "iterations": iterations}


def accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, x.shape[0], 1000):
            logits = model(x[start : start + 1000])
            correct += int((logits.argmax(dim=1) == y[start : start + 1000]).sum())
    model.train()
    return correct / x.shape[0]


def train(job, data, variant):
    """Train from the job's weights for `epochs` epochs in the job's sample order; return test accuracy and time."""
    model, optimizer = make_model(job, data, variant)
    batch = job["batchSize"]
    seconds = 0.0
    for epoch in range(job["epochs"]):
        order = data["order"][epoch]
        start = time.perf_counter()
        for first in range(0, order.shape[0], batch):
            rows = order[first : first + batch]
            train_step(model, optimizer, data["train_x"][rows], data["train_y"][rows])
        seconds += time.perf_counter() - start
    return {"accuracy": accuracy(model, data["test_x"], data["test_y"]), "trainSeconds": seconds}


def main(argv):
    if len(argv) != 2:
        print("usage: python3 torch_mlp.py JOB.json", file=sys.stderr)
        return 2
    job, data = load_job(argv[1])
    if job.get("threads") is not None:
        torch.set_num_threads(job["threads"])
    torch.manual_seed(job["seed"])

    results = []
    for variant in job["variants"]:
        if variant not in ("linear", "conv1d"):
            raise ValueError(f'unknown variant "{variant}"; valid variants: linear, conv1d')
        results.append({"variant": variant, "timing": time_step(job, data, variant), **train(job, data, variant)})
    environment = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "python": sys.version.split()[0],
    }
    json.dump({"environment": environment, "results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
