"""Data-parallel training of the digits MLP with flodl.distributed.

Every process trains a replica of the same model on its share of each epoch
(``DistributedSampler``), and ``DistributedDataParallel`` averages the
gradients across processes during backward, so the replicas stay identical;
rank 0 prints the held-out accuracy.

    torchrun --nproc-per-node 2 examples/ddp_train.py
    python examples/ddp_train.py        # one process, no torchrun needed
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread per process

import numpy as np

import flodl
import flodl.distributed as dist
from flodl import nn, optim

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_digits import SEED, build_mlp, load_split


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32, help="global batch size (32)")
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    args = parser.parse_args(argv)

    if "RANK" not in os.environ:  # run without torchrun: a group of one
        os.environ.update(RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1", MASTER_PORT="29511")
    dist.init_process_group("gloo", timeout=timedelta(seconds=60))
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} is not a multiple of {world} processes")
    local_batch = args.batch_size // world

    x_train, y_train, x_test, y_test = load_split()
    flodl.manual_seed(SEED + rank)  # different on purpose: DDP starts all from rank 0's
    model = dist.DistributedDataParallel(build_mlp(nn))
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    sampler = dist.DistributedSampler(len(x_train), shuffle=True, seed=SEED)

    start = time.perf_counter()
    model.train()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        mine = np.array(sampler.indices())  # the same count on every rank
        total = 0.0
        for i in range(0, len(mine), local_batch):
            idx = mine[i : i + local_batch]
            x, y = flodl.tensor(x_train[idx]), flodl.tensor(y_train[idx])
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()  # returns with the averaged gradients
            optimizer.step()
            total += loss.item() * len(idx)
        summed = flodl.tensor([total, float(len(mine))]).double()
        dist.all_reduce(summed)  # the epoch's loss over all processes
        if rank == 0 and (epoch + 1) % 5 == 0:
            loss_sum, count = summed.tolist()
            print(f"epoch {epoch + 1:2d}: training loss {loss_sum / count:.4f}")
    seconds = time.perf_counter() - start

    model.eval()
    with flodl.no_grad():
        predicted = model(flodl.tensor(x_test)).argmax(1).numpy()
    accuracy = float((predicted == y_test).mean())
    # every replica holds the same weights: a check that costs one all-reduce
    first = next(model.parameters()).data
    spread = first.to_torch().clone()
    dist.all_reduce(flodl.Tensor.from_torch(spread), op=dist.ReduceOp.MAX)
    same = bool((spread == first.to_torch()).all())
    dist.barrier()
    if rank == 0:
        print(
            f"{world} process(es), global batch {args.batch_size}: held-out accuracy "
            f"{accuracy:.2%} in {seconds:.1f} s (replicas identical: {same})"
        )
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
