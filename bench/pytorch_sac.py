"""The PyTorch baseline of `softac bench sac`: one Spinning Up SAC update (Q step, policy
step with Q frozen, polyak) per iteration, timed the way bench/sac.ts times softac's, one
JSON line per (batch, dims, threads). The networks and losses follow Spinning Up's PyTorch
sac (core.py's MLPActorCritic, sac.py's compute_loss_q / compute_loss_pi / update),
written here from its description; the batch is sampled from a replay buffer of 10,000
random transitions each update, as softac's benchmark does.

    python3 bench/pytorch_sac.py --seconds 3 --threads 1,2 --batches 100,256 --dims 3x1,17x6
"""
import argparse
import copy
import itertools
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HIDDEN = (256, 256)


def mlp(sizes, out_act=nn.Identity):
    layers = []
    for j in range(len(sizes) - 1):
        layers += [nn.Linear(sizes[j], sizes[j + 1]), nn.ReLU() if j < len(sizes) - 2 else out_act()]
    return nn.Sequential(*layers)


class Actor(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden, act_limit=1.0):
        super().__init__()
        self.act_limit = act_limit
        self.net = mlp([obs_dim, *hidden], nn.ReLU)
        self.mu_layer = nn.Linear(hidden[-1], act_dim)
        self.log_std_layer = nn.Linear(hidden[-1], act_dim)

    def forward(self, obs):
        h = self.net(obs)
        mu = self.mu_layer(h)
        std = torch.exp(torch.clamp(self.log_std_layer(h), -20, 2))
        dist = torch.distributions.Normal(mu, std)
        u = dist.rsample()
        logp = dist.log_prob(u).sum(-1) - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1)
        return self.act_limit * torch.tanh(u), logp


class Q(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden):
        super().__init__()
        self.q = mlp([obs_dim + act_dim, *hidden, 1])

    def forward(self, obs, act):
        return torch.squeeze(self.q(torch.cat([obs, act], dim=-1)), -1)


class ActorCritic(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden, act_limit=1.0):
        super().__init__()
        self.pi = Actor(obs_dim, act_dim, hidden, act_limit)
        self.q1 = Q(obs_dim, act_dim, hidden)
        self.q2 = Q(obs_dim, act_dim, hidden)


def make_update(ac, gamma=0.99, polyak=0.995, alpha=0.2, lr=1e-3):
    """sac.py's update for ac: the target copy, both optimizers, and update(o, a, r, o2, d),
    one Q step, one policy step with Q frozen, then polyak."""
    targ = copy.deepcopy(ac)
    for p in targ.parameters():
        p.requires_grad = False
    q_params = list(itertools.chain(ac.q1.parameters(), ac.q2.parameters()))
    pi_opt = torch.optim.Adam(ac.pi.parameters(), lr=lr)
    q_opt = torch.optim.Adam(q_params, lr=lr)

    def update(o, a, r, o2, d):
        q_opt.zero_grad()
        q1, q2 = ac.q1(o, a), ac.q2(o, a)
        with torch.no_grad():
            a2, logp_a2 = ac.pi(o2)
            q_targ = torch.min(targ.q1(o2, a2), targ.q2(o2, a2))
            backup = r + gamma * (1 - d) * (q_targ - alpha * logp_a2)
        loss_q = ((q1 - backup) ** 2).mean() + ((q2 - backup) ** 2).mean()
        loss_q.backward()
        q_opt.step()
        for p in q_params:
            p.requires_grad = False
        pi_opt.zero_grad()
        pi, logp_pi = ac.pi(o)
        loss_pi = (alpha * logp_pi - torch.min(ac.q1(o, pi), ac.q2(o, pi))).mean()
        loss_pi.backward()
        pi_opt.step()
        for p in q_params:
            p.requires_grad = True
        with torch.no_grad():
            for p, p_targ in zip(ac.parameters(), targ.parameters()):
                p_targ.data.mul_(polyak)
                p_targ.data.add_((1 - polyak) * p.data)

    return update


def updates_per_second(batch, obs_dim, act_dim, seconds):
    torch.manual_seed(0)
    sac_update = make_update(ActorCritic(obs_dim, act_dim, HIDDEN))
    n = 10_000
    buf = dict(obs=torch.randn(n, obs_dim), act=torch.rand(n, act_dim) * 2 - 1, rew=torch.randn(n),
               obs2=torch.randn(n, obs_dim), done=(torch.rand(n) < 0.01).float())

    def update():
        idx = torch.randint(0, n, (batch,))
        sac_update(*(buf[k][idx] for k in ('obs', 'act', 'rew', 'obs2', 'done')))

    start = time.perf_counter()
    k = 0
    while time.perf_counter() - start < 0.2 * seconds or k < 20:
        update()
        k += 1
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        done = 0
        while done < 5 or time.perf_counter() - start < seconds / 3:
            update()
            done += 1
        best = max(best, done / (time.perf_counter() - start))
    return best


def gemm_gflops(layout, n, seconds):
    """GFLOPS of one n x n x n float32 product in `layout` (NN, NT, TN) on this thread
    setting: torch.mm over the BLAS torch was built with (OpenBLAS for Debian's torch), the
    best of 5 rounds."""
    g = torch.Generator().manual_seed(0)
    a = torch.rand(n, n, generator=g) - 0.5
    b = torch.rand(n, n, generator=g) - 0.5
    c = torch.empty(n, n)
    lhs = a.t() if layout[0] == 'T' else a
    rhs = b.t() if layout[1] == 'T' else b
    for _ in range(50):
        torch.mm(lhs, rhs, out=c)
    best = 0.0
    for _ in range(5):
        start, done = time.perf_counter(), 0
        while time.perf_counter() - start < seconds / 5:
            torch.mm(lhs, rhs, out=c)
            done += 1
        best = max(best, done * 2 * n ** 3 / (time.perf_counter() - start) / 1e9)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seconds', type=float, default=3)
    ap.add_argument('--threads', default='1,2')
    ap.add_argument('--batches', default='100,256')
    ap.add_argument('--dims', default='3x1,17x6')
    ap.add_argument('--gemm', type=int, default=0, help='also time n x n x n products (torch.mm), n = this')
    args = ap.parse_args()
    torch.set_num_interop_threads(1)
    if args.gemm:
        torch.set_num_threads(1)
        for layout in ('NN', 'NT', 'TN'):
            print(json.dumps(dict(bench='gemm', layout=layout, m=args.gemm, n=args.gemm, k=args.gemm, backend='pytorch',
                                  path='torch ' + torch.__version__ + ' mm', threads=1,
                                  gflops=gemm_gflops(layout, args.gemm, min(args.seconds, 2)), peak_fraction=None)), flush=True)
    for batch in map(int, args.batches.split(',')):
        for dims in args.dims.split(','):
            obs_dim, act_dim = map(int, dims.split('x'))
            for t in map(int, args.threads.split(',')):
                torch.set_num_threads(t)
                ups = updates_per_second(batch, obs_dim, act_dim, args.seconds)
                print(json.dumps(dict(bench='sac_update', batch=batch, obs_dim=obs_dim, act_dim=act_dim, hidden=list(HIDDEN),
                                      backend='pytorch', path='torch ' + torch.__version__, threads=t, updates_per_s=ups,
                                      gflops=None, peak_fraction=None)), flush=True)


if __name__ == '__main__':
    main()
