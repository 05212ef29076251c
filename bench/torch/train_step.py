"""One AttentionGAN training step in PyTorch on the CPU, the baseline of bench/train-step.ts (MODEL.md §2.3–2.4):
two generators and two PatchGAN discriminators from bench/torch/attentiongan.py, LSGAN (MSE against 1/0),
cycle λ 10, identity 0.5 (weight 5), one Adam (lr 2e-4, β 0.5/0.999, eps 1e-8) on G_A ∪ G_B with both Ds
frozen, then one on D_A ∪ D_B with 0.5·[MSE(D(real), 1) + MSE(D(pool(fake)), 0)]; image pools of 50 with the
reference's per-image 50 % swap. Threads = CPU cores. Random inputs in [−1, 1]; the weights follow the
reference init. Prints one JSON line: median and every step's wall seconds, median CPU seconds, peak RSS,
torch version, threads. bench/torch/step_equivalence.py imports its pieces (build_networks, build_optimizers,
make_step_terms, ImagePool; size 0 passes images through, as the reference's pool does) to record K steps.
Usage: python bench/torch/train_step.py --size 128 --batch 4 --ngf 64 --blocks 9 --warmup 1 --steps 3
"""
import argparse
import itertools
import json
import os
import random
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attentiongan import Discriminator, Generator, init_normal  # noqa: E402


class ImagePool:
    """Reference history pool: fill up to `size`, then per image 50 % return a stored one and keep the new one."""

    def __init__(self, size, rng):
        self.size, self.rng, self.images = size, rng, []

    def query(self, images):
        if self.size == 0:                                              # the reference: size 0 passes images through
            return images.detach()
        out = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif self.rng.random() > 0.5:
                i = self.rng.randrange(self.size)
                out.append(self.images[i].clone())
                self.images[i] = image
            else:
                out.append(image)
        return torch.cat(out, 0)


def set_requires_grad(nets, flag):
    for net in nets:
        for p in net.parameters():
            p.requires_grad_(flag)


ADAM = dict(lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
LOSS_TERMS = ('gA_gan', 'gB_gan', 'cycleA', 'cycleB', 'idtA', 'idtB', 'g_total', 'dA', 'dB')


def build_networks(ngf, blocks, ndf, seed):
    """G_A, G_B, D_A, D_B with the reference init, drawn in that order right after torch.manual_seed(seed)."""
    torch.manual_seed(seed)
    g_a, g_b = (init_normal(Generator(ngf, blocks)) for _ in range(2))
    d_a, d_b = (init_normal(Discriminator(ndf)) for _ in range(2))
    return g_a, g_b, d_a, d_b


def build_optimizers(g_a, g_b, d_a, d_b):
    """One Adam for G_A ∪ G_B and one for D_A ∪ D_B (lr 2e-4, β 0.5/0.999, eps 1e-8)."""
    opt_g = torch.optim.Adam(itertools.chain(g_a.parameters(), g_b.parameters()), **ADAM)
    opt_d = torch.optim.Adam(itertools.chain(d_a.parameters(), d_b.parameters()), **ADAM)
    return opt_g, opt_d


def make_step_terms(g_a, g_b, d_a, d_b, opt_g, opt_d, pool_a, pool_b, lambda_a=10.0, lambda_b=10.0, lambda_idt=0.5):
    """One training step that returns every loss term as a float, keyed by LOSS_TERMS as src/gan/train-step.ts's
    StepLosses names them: the terms unweighted, g_total the weighted sum that was minimised, dA and dB each
    0.5·[real + fake]; plus d_total = dA + dB as the tensor that was minimised."""
    mse = lambda p, target: F.mse_loss(p, torch.full_like(p, target))  # noqa: E731

    def step(a, b):
        fake_b = g_a(a)[0]                                              # [B, 3, H, W]
        rec_a = g_b(fake_b)[0]
        fake_a = g_b(b)[0]
        rec_b = g_a(fake_a)[0]
        set_requires_grad([d_a, d_b], False)
        opt_g.zero_grad(set_to_none=True)
        idt_a = g_a(b)[0]
        idt_b = g_b(a)[0]
        terms = {'gA_gan': mse(d_a(fake_b), 1.0), 'gB_gan': mse(d_b(fake_a), 1.0),
                 'cycleA': F.l1_loss(rec_a, a), 'cycleB': F.l1_loss(rec_b, b),
                 'idtA': F.l1_loss(idt_a, b), 'idtB': F.l1_loss(idt_b, a)}
        loss_g = (terms['gA_gan'] + terms['gB_gan']
                  + lambda_a * terms['cycleA'] + lambda_b * terms['cycleB']
                  + lambda_b * lambda_idt * terms['idtA'] + lambda_a * lambda_idt * terms['idtB'])
        loss_g.backward()
        opt_g.step()
        set_requires_grad([d_a, d_b], True)
        opt_d.zero_grad(set_to_none=True)
        pooled_b, pooled_a = pool_b.query(fake_b), pool_a.query(fake_a)
        loss_d_a = 0.5 * (mse(d_a(b), 1.0) + mse(d_a(pooled_b), 0.0))
        loss_d_b = 0.5 * (mse(d_b(a), 1.0) + mse(d_b(pooled_a), 0.0))
        loss_d = loss_d_a + loss_d_b
        loss_d.backward()
        opt_d.step()
        values = {key: value.item() for key, value in terms.items()}
        return {**values, 'g_total': loss_g.item(), 'dA': loss_d_a.item(), 'dB': loss_d_b.item(), 'd_total': loss_d.item()}

    return step


def make_step(*networks_and_pools, **lambdas):
    """make_step_terms, returning only (G loss, D_A + D_B loss) for the timing benchmark."""
    step_terms = make_step_terms(*networks_and_pools, **lambdas)

    def step(a, b):
        terms = step_terms(a, b)
        return terms['g_total'], terms['d_total']

    return step


def main():
    parser = argparse.ArgumentParser()
    for name, default in [('size', 128), ('batch', 4), ('ngf', 64), ('blocks', 9), ('ndf', 64), ('warmup', 1), ('steps', 3), ('seed', 1)]:
        parser.add_argument(f'--{name}', type=int, default=default)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    g_a, g_b, d_a, d_b = build_networks(args.ngf, args.blocks, args.ndf, args.seed)
    opt_g, opt_d = build_optimizers(g_a, g_b, d_a, d_b)
    rng = random.Random(args.seed)
    step = make_step(g_a, g_b, d_a, d_b, opt_g, opt_d, ImagePool(50, rng), ImagePool(50, rng))
    a = torch.rand(args.batch, 3, args.size, args.size) * 2 - 1          # [B, 3, S, S]
    b = torch.rand(args.batch, 3, args.size, args.size) * 2 - 1
    seconds, cpu_seconds, losses = [], [], None
    for i in range(args.warmup + args.steps):
        start, cpu = time.perf_counter(), time.process_time()   # process_time: user + system of all threads
        losses = step(a, b)
        if i >= args.warmup:
            seconds.append(time.perf_counter() - start)
            cpu_seconds.append(time.process_time() - cpu)
    print(json.dumps({
        'framework': 'torch', 'size': args.size, 'batch': args.batch, 'medianSeconds': statistics.median(seconds),
        'seconds': seconds, 'medianCpuSeconds': statistics.median(cpu_seconds), 'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'version': torch.__version__, 'threads': torch.get_num_threads(), 'lastLosses': losses,
    }))


if __name__ == '__main__':
    main()
