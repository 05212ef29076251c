#!/usr/bin/env python3
"""Writes the golden fixture of the checkpoint converter, test/fixtures/attentiongan-tiny/, with real PyTorch
(not needed by the tests themselves, which run without torch). From the reference networks in
bench/torch/attentiongan.py, seeded:
  net_G.pth              standard generator, ngf 2, 2 blocks, saved with `torch.save` (zip format);
  input.f32              a [1, 3, 16, 16] input in [−1, 1], NCHW, little-endian float32;
  output.f32             torch's mixed output y for it, [1, 3, 16, 16] NCHW;
  attention.f32          torch's 10 attention maps, [1, 10, 16, 16] NCHW;
  net_G_geo.pth          geo variant (30 content channels), ngf 1, 1 block, for the transfer rule;
  net_G_dataparallel.pth ngf 1, 1 block, keys prefixed `module.` (as nn.DataParallel saves them), plus
                         InstanceNorm running-stat keys (as torch 0.4 saved them), every tensor a view into one
                         shared storage (storage offsets) and one kernel non-contiguous (strides);
  net_G_legacy.pth       the same ngf-1 weights, plain keys, in the pre-1.6 legacy format.
Weights are N(0, 0.2) and biases N(0, 0.1) rather than the reference init (N(0, 0.02), zero bias), so every
bias and the attention mix are exercised. Kept under 100 KB in all.
Usage: /path/to/python-with-torch scripts/make-converter-fixture.py [out-dir]
"""
import os
import sys
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'bench', 'torch'))
from attentiongan import Generator  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'attentiongan-tiny')


def seeded_generator(ngf, blocks, content_images, seed):
    torch.manual_seed(seed)
    net = Generator(ngf, blocks, content_images)
    rng = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.randn(p.shape, generator=rng) * (0.2 if name.endswith('weight') else 0.1))
    return net.eval()


def write_f32(name, tensor):
    tensor.detach().contiguous().to(torch.float32).numpy().astype('<f4').tofile(os.path.join(OUT, name))


def dataparallel_state(net):
    """`module.`-prefixed keys, running stats added, all tensors views into one storage, one kernel strided."""
    state = net.state_dict()
    flat = torch.zeros(sum(t.numel() for t in state.values()) + 7)
    views, offset = OrderedDict(), 7                                  # start at 7: nonzero storage offsets
    for key, tensor in state.items():
        chunk = flat[offset: offset + tensor.numel()]
        if key == 'deconv3_content.weight':                           # store as [kh, kw, in, out], view as [out, in, kh, kw]
            o, i, kh, kw = tensor.shape
            view = chunk.view(kh, kw, i, o).permute(3, 2, 0, 1)
        else:
            view = chunk.view(tensor.shape)
        view.copy_(tensor)
        views['module.' + key] = view
        offset += tensor.numel()
    assert not views['module.deconv3_content.weight'].is_contiguous()
    channels = state['resnet_blocks.0.conv1.weight'].shape[0]
    views['module.resnet_blocks.0.conv1_norm.running_mean'] = torch.zeros(channels)
    views['module.resnet_blocks.0.conv1_norm.running_var'] = torch.ones(channels)
    views['module.resnet_blocks.0.conv1_norm.num_batches_tracked'] = torch.tensor(0)
    return views


def main():
    os.makedirs(OUT, exist_ok=True)
    golden = seeded_generator(2, 2, 9, seed=1)
    torch.save(golden.state_dict(), os.path.join(OUT, 'net_G.pth'))
    x = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(2)) * 2 - 1
    with torch.no_grad():
        y, attention, _content = golden(x)
    write_f32('input.f32', x)
    write_f32('output.f32', y)
    write_f32('attention.f32', attention)

    torch.save(seeded_generator(1, 1, 10, seed=3).state_dict(), os.path.join(OUT, 'net_G_geo.pth'))
    small = seeded_generator(1, 1, 9, seed=4)
    torch.save(dataparallel_state(small), os.path.join(OUT, 'net_G_dataparallel.pth'))
    torch.save(small.state_dict(), os.path.join(OUT, 'net_G_legacy.pth'), _use_new_zipfile_serialization=False)

    with open(os.path.join(OUT, 'README.md'), 'w') as f:
        f.write('# attentiongan-tiny\n\n'
                f'Made by `scripts/make-converter-fixture.py` with torch {torch.__version__} '
                f'(Python {sys.version.split()[0]}); see that file for what each file holds. '
                'Regenerate: `.venv-torch/bin/python scripts/make-converter-fixture.py`.\n')
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f'wrote {OUT}: {total} bytes; y in [{y.min():.3f}, {y.max():.3f}], attention max {attention.max():.3f}')


if __name__ == '__main__':
    main()
