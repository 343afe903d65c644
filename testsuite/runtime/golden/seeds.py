#!/usr/bin/python3
# seeds.py — PyTorch's output for the C ports of the seed documents in
# ../test_seeds.c. Run by hand with PyTorch 1.13 (Debian's python3-torch):
#
#     /usr/bin/python3 seeds.py > seeds.txt
#
# The tests never run this script; they compare against the committed seeds.txt.
# Inputs are fixed: torch.rand after torch.manual_seed, which adj_rand reproduces
# bit for bit, or literal values. Object addresses (id(), repr of grad_fn objects)
# are replaced by what is reproducible: names, or None.
import torch
import torch.nn.functional as F


def section(name):
    print(f"=== {name}")


def err(f):
    try:
        f()
        print("no error")
    except RuntimeError as e:
        print(f"RuntimeError: {e}")


def fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# ---- 000: gradient w.r.t. the input, with a rebinding pitfall --------------------
torch.manual_seed(0)
images = torch.rand(2, 3, 2, 2)
labels = torch.tensor([1, 3])
Wt = torch.rand(12, 4)


def get_logits(v):
    return v.reshape(2, 12) @ Wt


def input_diversity(v):
    return v * 0.9 + 0.05


section("000.adversarial")
eps, alpha, decay = 0.3, 0.1, 1.0
adv_images = images.clone().detach()
momentum = torch.zeros_like(images)
for i in range(2):
    adv_images.requires_grad = True
    adv_images1 = input_diversity(adv_images)
    outputs = get_logits(adv_images1)
    cost = F.cross_entropy(outputs, labels)
    grad = torch.autograd.grad(cost, adv_images, retain_graph=False, create_graph=False)[0]
    with torch.no_grad():
        pred = torch.argmax(outputs.detach(), dim=1)
        print(pred == labels)
    grad = grad / torch.mean(torch.abs(grad), dim=(1, 2, 3), keepdim=True)
    grad = grad + momentum * decay
    momentum = grad
    adv_images = adv_images.detach() + alpha * grad.sign()
    delta = torch.clamp(adv_images - images, min=-eps, max=eps)
    adv_images = torch.clamp(images + delta, min=0, max=1).detach()
    print(cost)
    print(grad[0, 0])
    print(adv_images[1, 2])

section("000.rebinding")
x0 = images.clone().requires_grad_(True)
x = input_diversity(x0)  # rebinding: x is now the transformed tensor
x.retain_grad()
cost = F.cross_entropy(get_logits(x), labels)
g_x, g_x0 = torch.autograd.grad(cost, [x, x0])
print(g_x[0, 0])
print(g_x0[0, 0])
print(x.is_leaf, x0.is_leaf, fn_name(x))

# ---- 001: torch.autograd.grad on inputs ----------------------------------------------
torch.manual_seed(1)
section("001.ex1")
x = torch.rand(3, 4).requires_grad_(True)
print(x)
y = torch.sum(x)
grads = torch.autograd.grad(outputs=y, inputs=x)[0]
print(grads)

section("001.ex2")
x = torch.rand(3, 4).requires_grad_(True)
print(x)
y = x[:, 0] + x[:, 1]
print(y)
grads = torch.autograd.grad(outputs=y, inputs=x, grad_outputs=torch.ones_like(y))[0]
print(grads)

section("001.ex3")
x = torch.rand(3, 4).requires_grad_(True)
print(x)
y = x ** 2
grads = torch.autograd.grad(outputs=y, inputs=x, grad_outputs=torch.ones_like(y),
                            create_graph=True)[0]
print(grads)
grads2 = torch.autograd.grad(outputs=grads, inputs=x, grad_outputs=torch.ones_like(grads))[0]
print(grads2)

section("001.unused")
x = torch.rand(2).requires_grad_(True)
u = torch.rand(2).requires_grad_(True)
err(lambda: torch.autograd.grad((x * 2).sum(), [x, u]))
print(torch.autograd.grad((x * 2).sum(), [x, u], allow_unused=True))

# ---- 002: backward and grad arguments, tips ------------------------------------------
section("002.retain_graph")
torch.manual_seed(10)
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
y.backward(retain_graph=True)
print(w.grad)
y.backward()
print(w.grad)
err(lambda: y.backward())

section("002.grad_tensors")
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y0 = torch.mul(a, b)
y1 = torch.add(a, b)
loss = torch.cat([y0, y1], dim=0)
grad_tensors = torch.tensor([1., 2.])
loss.backward(gradient=grad_tensors)
print(w.grad)
print(loss)

section("002.create_graph")
x = torch.tensor([3.], requires_grad=True)
y = torch.pow(x, 2)
grad_1 = torch.autograd.grad(y, x, create_graph=True)
print(grad_1)
grad_2 = torch.autograd.grad(grad_1[0], x)
print(grad_2)

section("002.accumulate")
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
for i in range(4):
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)
    y.backward()
    print(w.grad)
w.grad.zero_()
print(w.grad)

section("002.requires_grad")
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
print(a.requires_grad, b.requires_grad, y.requires_grad)
print(w.is_leaf, x.is_leaf, a.is_leaf, b.is_leaf, y.is_leaf)
print(fn_name(w), fn_name(a), fn_name(b), fn_name(y))
y.backward()
print(w.grad, x.grad, a.grad, b.grad, y.grad)

section("002.inplace")
a = torch.ones((1,))
print(a)
a = a + torch.ones((1,))
print(a)
a = torch.ones((1,))
print(a)
a += torch.ones((1,))
print(a)

section("002.leaf_inplace")
w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
err(lambda: w.add_(1))
y.backward()
print(w.grad)

# ---- 003: requires_grad, grad_fn, is_leaf, no_grad, .data ---------------------------------
section("003.attributes")
x = torch.ones(3, 3, requires_grad=True)
y = x * x
z = x + 1
print(x)
print(x.grad_fn)
print(y)
print(fn_name(y))
print(z)
print(fn_name(z))

section("003.requires_grad_")
x = torch.ones(3, 3)
x = x * x + 2
print(x.requires_grad)
print(x.grad_fn)
x.requires_grad_(True)
print(x.requires_grad)
print(x.grad_fn)

section("003.mean")
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print(out)
out.backward()
print(x.grad)
out2 = x.sum()
out2.backward()
print(x.grad)
print(out2)
x.grad.data.zero_()
print(x.grad)

section("003.non_scalar")
err(lambda: (x * 2).backward())
x = torch.tensor([1.0, 2.0, 3.0, 4.5], requires_grad=True)
y = x * x + 2
z = y.view(2, 2)
w = torch.tensor([[1.0, 0.1], [1.0, 0.01]])
z.backward(w)
print(x.grad)
print(z)

section("003.no_grad")
x = torch.tensor(1., requires_grad=True)
y1 = x ** 2
with torch.no_grad():
    y2 = x ** 3
y3 = y1 + y2
y3.backward()
print(f"x.grad = {x.grad}")
print(f"y2.requires_grad = {y2.requires_grad}")
print(y2)
print(y3)

section("003.data")
x = torch.ones(1, requires_grad=True)
print(x.data)
print(x.data.requires_grad)
y = 2 * x
x.data *= 100
y.backward()
print(x)
print(x.grad)

# ---- 004: detach, requires_grad on parameters, zero_grad, anomaly --------------------------
torch.manual_seed(0)
xin = torch.rand(2, 2)
Ws = [torch.rand(2, 2).requires_grad_() for _ in range(4)]
Bs = [torch.rand(2).requires_grad_() for _ in range(4)]


def lin(i, v):  # nn.Linear(2, 2) with fixed parameters: v @ W.T + b
    return v @ Ws[i].t() + Bs[i]


section("004.detach")
x = xin.clone()
x.requires_grad = True
x1 = lin(0, x)
x2 = lin(1, x1)
x2 = x2.detach()
x3 = lin(2, x2)
x4 = lin(3, x3)
x4.sum().backward()
for i in range(4):
    print(Ws[i].grad)
print(x4)

section("004.requires_grad_false")
for p in Ws + Bs:
    p.grad = None
Ws[2].requires_grad = False
Bs[2].requires_grad = False
x1 = lin(0, x)
x2 = lin(1, x1)
x3 = lin(2, x2)
x4 = lin(3, x3)
x4.sum().backward()
for i in range(4):
    print(Ws[i].grad)

section("004.zero_grad")
Ws[0].grad.zero_()
print(Ws[0].grad)
Ws[0].grad = None
print(Ws[0].grad)

section("004.anomaly")
torch.manual_seed(0)
with torch.autograd.set_detect_anomaly(True):
    a = torch.rand(1, requires_grad=True)
    c = torch.rand(1, requires_grad=True)
    b = a ** 2 * c ** 2
    b += 1
    b *= c + a
    d = b.exp_()
    d *= 5
    err(lambda: b.backward())
    print(b)

section("004.anomaly_nan")
with torch.autograd.set_detect_anomaly(True):
    x = torch.tensor([-1., 4.], requires_grad=True)
    y = torch.sqrt(x).sum()
    err(lambda: y.backward())

section("004.version_no_anomaly")
a = torch.rand(1, requires_grad=True)
c = torch.rand(1, requires_grad=True)
b = a ** 2 * c ** 2
b += 1
b *= c + a
d = b.exp_()
d *= 5
err(lambda: b.backward())

section("004.two_losses")
w = torch.tensor([1., 2.], requires_grad=True)
h = w * 3
loss1 = (h ** 2).sum()
loss2 = h.sum()
loss1.backward(retain_graph=True)
loss2.backward()
print(w.grad)

section("004.step_then_backward")
w = torch.tensor([1., 2.], requires_grad=True)
loss = (w ** 2).sum()
loss.backward(retain_graph=True)
with torch.no_grad():
    w -= 0.1 * w.grad  # optimizer.step()
err(lambda: loss.backward())
print(w)

# Seed 004's detach example exactly as written (randn input, nn.Linear's default init).
import torch.nn as nn

section("004.detach_nn")
torch.manual_seed(0)
x = torch.randn(2, 2)
x.requires_grad = True
lin0 = nn.Linear(2, 2)
lin1 = nn.Linear(2, 2)
lin2 = nn.Linear(2, 2)
lin3 = nn.Linear(2, 2)
x1 = lin0(x)
x2 = lin1(x1)
x2 = x2.detach()  # 此处设置了detach，之前的所有梯度流都不会回传了
x3 = lin2(x2)
x4 = lin3(x3)
x4.sum().backward()
print(lin0.weight.grad)
print(lin1.weight.grad)
print(lin2.weight.grad)
print(lin3.weight.grad)
print(x4)

section("004.requires_grad_false_nn")
torch.manual_seed(0)
x = torch.randn(2, 2)
x.requires_grad = True
lin0 = nn.Linear(2, 2)
lin1 = nn.Linear(2, 2)
lin2 = nn.Linear(2, 2)
lin3 = nn.Linear(2, 2)
x1 = lin0(x)
x2 = lin1(x1)
for p in lin2.parameters():
    p.requires_grad = False
x3 = lin2(x2)
x4 = lin3(x3)
x4.sum().backward()
print(lin0.weight.grad)
print(lin1.weight.grad)
print(lin2.weight.grad)
print(lin3.weight.grad)
