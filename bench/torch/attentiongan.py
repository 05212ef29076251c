"""PyTorch reference networks for the AttentionGAN port, written from MODEL.md §2.1–2.2 (not copied from the
reference repository): the v2 generator (`ResnetGenerator_our`) and the PatchGAN discriminator. Module and
parameter names match the reference state dict exactly, so `torch.save(net.state_dict())` gives a checkpoint
that loads into the reference code and that scripts/convert-attentiongan.py converts: generator `conv1..3`,
`resnet_blocks.{i}.conv1|conv2` (the block's InstanceNorms `conv1_norm`/`conv2_norm` carry no parameters),
`deconv{1,2,3}_content`, `deconv{1,2,3}_attention`; discriminator `model.{0,2,5,8,11}`. Every conv has a bias;
instance norm is affine=False without running stats (eps 1e-5). `content_images=10` builds the geo variant
(30 content channels, map 10 weights C10 instead of the input). Tensors are NCHW.
Run `python bench/torch/attentiongan.py` to print and check the parameter counts (11,822,949 and 2,764,737).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResnetBlock(nn.Module):
    """reflect-pad 1 → conv3×3 → IN → ReLU → reflect-pad 1 → conv3×3 → IN, plus the skip (no ReLU after)."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, 1, 0)
        self.conv1_norm = nn.InstanceNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 0)
        self.conv2_norm = nn.InstanceNorm2d(channels)

    def forward(self, x):                                                    # [N, C, H, W]
        r = F.relu(self.conv1_norm(self.conv1(F.pad(x, (1, 1, 1, 1), 'reflect'))))
        r = self.conv2_norm(self.conv2(F.pad(r, (1, 1, 1, 1), 'reflect')))
        return x + r                                                         # [N, C, H, W]


class Generator(nn.Module):
    """ResNet encoder, a content decoder (tanh, 3·content_images channels) and an attention decoder (softmax over
    content_images + 1 maps). forward(x) returns (y, attention [N, maps, H, W], content [N, 3·images, H, W])."""

    def __init__(self, ngf=64, blocks=9, content_images=9):
        super().__init__()
        self.content_images = content_images
        self.conv1 = nn.Conv2d(3, ngf, 7, 1, 0)
        self.conv1_norm = nn.InstanceNorm2d(ngf)
        self.conv2 = nn.Conv2d(ngf, 2 * ngf, 3, 2, 1)
        self.conv2_norm = nn.InstanceNorm2d(2 * ngf)
        self.conv3 = nn.Conv2d(2 * ngf, 4 * ngf, 3, 2, 1)
        self.conv3_norm = nn.InstanceNorm2d(4 * ngf)
        self.resnet_blocks = nn.Sequential(*[ResnetBlock(4 * ngf) for _ in range(blocks)])
        self.deconv1_content = nn.ConvTranspose2d(4 * ngf, 2 * ngf, 3, 2, 1, 1)
        self.deconv1_norm_content = nn.InstanceNorm2d(2 * ngf)
        self.deconv2_content = nn.ConvTranspose2d(2 * ngf, ngf, 3, 2, 1, 1)
        self.deconv2_norm_content = nn.InstanceNorm2d(ngf)
        self.deconv3_content = nn.Conv2d(ngf, 3 * content_images, 7, 1, 0)
        self.deconv1_attention = nn.ConvTranspose2d(4 * ngf, 2 * ngf, 3, 2, 1, 1)
        self.deconv1_norm_attention = nn.InstanceNorm2d(2 * ngf)
        self.deconv2_attention = nn.ConvTranspose2d(2 * ngf, ngf, 3, 2, 1, 1)
        self.deconv2_norm_attention = nn.InstanceNorm2d(ngf)
        self.deconv3_attention = nn.Conv2d(ngf, 10, 1, 1, 0)

    def forward(self, x):                                                    # x [N, 3, H, W] in [−1, 1]
        e = F.relu(self.conv1_norm(self.conv1(F.pad(x, (3, 3, 3, 3), 'reflect'))))  # [N, ngf, H, W]
        e = F.relu(self.conv2_norm(self.conv2(e)))                           # [N, 2ngf, H/2, W/2]
        e = F.relu(self.conv3_norm(self.conv3(e)))                           # [N, 4ngf, H/4, W/4]
        e = self.resnet_blocks(e)                                            # [N, 4ngf, H/4, W/4]
        c = F.relu(self.deconv1_norm_content(self.deconv1_content(e)))       # [N, 2ngf, H/2, W/2]
        c = F.relu(self.deconv2_norm_content(self.deconv2_content(c)))       # [N, ngf, H, W]
        content = torch.tanh(self.deconv3_content(F.pad(c, (3, 3, 3, 3), 'reflect')))  # [N, 3·images, H, W]
        a = F.relu(self.deconv1_norm_attention(self.deconv1_attention(e)))   # [N, 2ngf, H/2, W/2]
        a = F.relu(self.deconv2_norm_attention(self.deconv2_attention(a)))   # [N, ngf, H, W]
        attention = torch.softmax(self.deconv3_attention(a), dim=1)          # [N, 10, H, W]
        n, _, h, w = x.shape
        images = content.view(n, self.content_images, 3, h, w)               # [N, images, 3, H, W]
        if self.content_images == 10:                                        # geo: map 10 weights C10
            y = (images * attention.unsqueeze(2)).sum(1)                     # [N, 3, H, W]
        else:                                                                # standard: map 10 weights the input
            y = (images * attention[:, :9].unsqueeze(2)).sum(1) + x * attention[:, 9:10]
        return y, attention, content


class Discriminator(nn.Module):
    """PatchGAN, n_layers 3: convs 4×4 s2,s2,s2,s1,s1 with zero padding 1, IN on layers 2–4, LeakyReLU 0.2; raw logits."""

    def __init__(self, ndf=64, input_channels=3):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(input_channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True),                     # model.0, 1
            nn.Conv2d(ndf, 2 * ndf, 4, 2, 1), nn.InstanceNorm2d(2 * ndf), nn.LeakyReLU(0.2, True),   # model.2, 3, 4
            nn.Conv2d(2 * ndf, 4 * ndf, 4, 2, 1), nn.InstanceNorm2d(4 * ndf), nn.LeakyReLU(0.2, True),  # model.5, 6, 7
            nn.Conv2d(4 * ndf, 8 * ndf, 4, 1, 1), nn.InstanceNorm2d(8 * ndf), nn.LeakyReLU(0.2, True),  # model.8, 9, 10
            nn.Conv2d(8 * ndf, 1, 4, 1, 1),                                                          # model.11
        )

    def forward(self, x):                                                    # [N, C, H, W] → [N, 1, H/8−2, W/8−2]
        return self.model(x)


def init_normal(net, std=0.02, generator=None):
    """The reference init: conv and transposed-conv weights ~ N(0, std), biases 0."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, std, generator=generator)
            nn.init.zeros_(m.bias)
    return net


def count_parameters(net):
    return sum(p.numel() for p in net.parameters())


if __name__ == '__main__':
    g, d = Generator(), Discriminator()
    counts = {'generator': (count_parameters(g), 11_822_949), 'discriminator': (count_parameters(d), 2_764_737)}
    for name, (got, want) in counts.items():
        print(f'{name:14} {got:>12,} parameters (MODEL.md: {want:,}) {"ok" if got == want else "MISMATCH"}')
    with torch.no_grad():
        y, attention, content = g(torch.zeros(1, 3, 64, 64))
        print('generator out', tuple(y.shape), 'attention', tuple(attention.shape), 'content', tuple(content.shape))
        print('discriminator out at 256²', tuple(d(torch.zeros(1, 3, 256, 256)).shape))
    print('state dict keys:', ', '.join(list(g.state_dict().keys())[:8]), '…')
    raise SystemExit(0 if all(got == want for got, want in counts.values()) else 1)
