"""The PyTorch baseline of `softac bench learn --pytorch`: Spinning Up's SAC loop (PyTorch
version, with its defaults) on Pendulum-v1 for a number of steps, timed end to end, one
JSON line per seed. Gymnasium is not needed: Pendulum-v1's dynamics, reward, reset and
200-step limit are written out here from Gymnasium's classic_control/pendulum.py (the same
equations as softac's src/envs/pendulum.ts). The networks and the update are those of
bench/pytorch_sac.py; the loop is sac.py's: start_steps uniform random actions, updates
every update_every steps in bursts, a time-limit cut stored as not-done, a deterministic
test at each epoch's end.

    python3 bench/pytorch_learn.py --seeds 0 --steps 20000
"""
import argparse
import json
import math
import time

import numpy as np
import torch

from pytorch_sac import ActorCritic, HIDDEN, make_update


class Pendulum:
    max_speed, max_torque, dt, g, m, l = 8.0, 2.0, 0.05, 10.0, 1.0, 1.0

    def __init__(self):
        self.rng = np.random.default_rng(0)
        self.state = np.zeros(2)
        self.t = 0

    def reset(self, seed=None):
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.state = self.rng.uniform(low=[-math.pi, -1.0], high=[math.pi, 1.0])
        self.t = 0
        return self._obs()

    def _obs(self):
        th, thdot = self.state
        return np.array([math.cos(th), math.sin(th), thdot], dtype=np.float32)

    def step(self, a):
        th, thdot = self.state
        u = float(np.clip(a[0], -self.max_torque, self.max_torque))
        norm = ((th + math.pi) % (2 * math.pi)) - math.pi
        cost = norm ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2
        thdot = np.clip(thdot + (3 * self.g / (2 * self.l) * math.sin(th) + 3.0 / (self.m * self.l ** 2) * u) * self.dt,
                        -self.max_speed, self.max_speed)
        self.state = np.array([th + thdot * self.dt, thdot])
        self.t += 1
        return self._obs(), -cost, False, self.t >= 200


def run(seed, steps, steps_per_epoch=4000, batch=100, start_steps=10000, update_after=1000, update_every=50,
        gamma=0.99, polyak=0.995, lr=1e-3, alpha=0.2, test_episodes=10):
    torch.manual_seed(seed)
    np.random.seed(seed)
    env, test_env = Pendulum(), Pendulum()
    obs_dim, act_dim, limit = 3, 1, 2.0
    ac = ActorCritic(obs_dim, act_dim, HIDDEN, limit)
    sac_update = make_update(ac, gamma=gamma, polyak=polyak, alpha=alpha, lr=lr)
    size = steps
    buf = dict(obs=np.zeros((size, obs_dim), np.float32), act=np.zeros((size, act_dim), np.float32),
               rew=np.zeros(size, np.float32), obs2=np.zeros((size, obs_dim), np.float32), done=np.zeros(size, np.float32))
    n = 0

    def act(o, deterministic):
        with torch.no_grad():
            h = ac.pi.net(torch.as_tensor(o).unsqueeze(0))
            mu = ac.pi.mu_layer(h)
            if deterministic:
                u = mu
            else:
                std = torch.exp(torch.clamp(ac.pi.log_std_layer(h), -20, 2))
                u = mu + std * torch.randn_like(mu)
            return (limit * torch.tanh(u)).numpy()[0]

    def update():
        idx = np.random.randint(0, n, size=batch)
        sac_update(*(torch.as_tensor(buf[k][idx]) for k in ('obs', 'act', 'rew', 'obs2', 'done')))

    start = time.perf_counter()
    o, ep_len, episodes, test_ret = env.reset(seed), 0, 0, float('nan')
    for t in range(steps):
        a = act(o, False) if t > start_steps else np.random.uniform(-limit, limit, size=act_dim).astype(np.float32)
        o2, r, term, trunc = env.step(a)
        ep_len += 1
        buf['obs'][n], buf['act'][n], buf['rew'][n], buf['obs2'][n], buf['done'][n] = o, a, r, o2, float(term)
        n += 1
        o = o2
        if term or trunc:
            episodes += 1
            o, ep_len = env.reset(seed + episodes), 0
        if t >= update_after and t % update_every == 0:
            for _ in range(update_every):
                update()
        if (t + 1) % steps_per_epoch == 0:
            rets = []
            for e in range(test_episodes):
                to, ret, done = test_env.reset(seed + 1_000_003 * ((t + 1) // steps_per_epoch) + e), 0.0, False
                while not done:
                    to, r, term, trunc = test_env.step(act(to, True))
                    ret += r
                    done = term or trunc
                rets.append(ret)
            test_ret = float(np.mean(rets))
    return dict(bench='learn', env='Pendulum-v1', seed=seed, steps=steps, backend='pytorch', path='torch ' + torch.__version__,
                final_test_return=test_ret, wall_s=time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', default='0')
    ap.add_argument('--steps', type=int, default=20000)
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for seed in map(int, args.seeds.split(',')):
        print(json.dumps(run(seed, args.steps)), flush=True)


if __name__ == '__main__':
    main()
