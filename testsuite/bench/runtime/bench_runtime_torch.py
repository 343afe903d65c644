#!/usr/bin/python3
# bench_runtime_torch.py — the rows of bench_runtime.c measured with PyTorch on the
# CPU, for comparison. Run by hand: /usr/bin/python3 bench_runtime_torch.py
import time
import torch
import torch.nn.functional as F


def time_it(fn):
    fn()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        dt = time.perf_counter() - t0
        if dt > 0.2:
            return dt / reps
        reps *= 10 if dt < 0.02 else 2


torch.manual_seed(0)
print(f"{'benchmark':44s} {'time':>12s}")
a = torch.rand(1, requires_grad=True)
b = torch.rand(1)
with torch.no_grad():
    print(f"{'add, 1 element, no_grad':44s} {1e9 * time_it(lambda: a + b):9.0f} ns")
print(f"{'add, 1 element, recording a node':44s} {1e9 * time_it(lambda: a + b):9.0f} ns")


def tiny():
    ((a + b) * b).backward()
    a.grad = None


print(f"{'(a+b)*b forward+backward, 1 element':44s} {1e9 * time_it(tiny):9.0f} ns")
n = 1 << 20
c, d = torch.rand(n), torch.rand(n)
print(f"\n{'elementwise, 2^20 float32':44s} {'Melem/s':>12s}")
for label, fn in [("exp", lambda: torch.exp(c)), ("add", lambda: c + d), ("sum", lambda: c.sum())]:
    print(f"{label + '  (torch)':44s} {n / time_it(fn) / 1e6:12.0f}")
print(f"\n{'matmul float32 n x n':44s} {'GFLOP/s':>12s}")
for s in (32, 128, 512):
    x, y = torch.rand(s, s), torch.rand(s, s)
    print(f"{f'n={s} torch.matmul':44s} {2 * s ** 3 / time_it(lambda: x @ y) / 1e9:12.2f}")
x = torch.rand(64, 784)
y = torch.arange(64) % 10
w1 = (torch.randn(784, 128) * 0.05).requires_grad_()
b1 = torch.zeros(128, requires_grad=True)
w2 = (torch.randn(128, 10) * 0.05).requires_grad_()
b2 = torch.zeros(10, requires_grad=True)


def step():
    loss = F.cross_entropy(torch.relu(x @ w1 + b1) @ w2 + b2, y)
    loss.backward()
    with torch.no_grad():
        for p in (w1, b1, w2, b2):
            p.add_(p.grad * -0.01)
            p.grad = None


print(f"\n{'MLP 784-128-10, batch 64, SGD step':44s} {1e6 * time_it(step):9.1f} us")
