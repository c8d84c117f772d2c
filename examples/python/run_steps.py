"""Run N steps of a fixed, deterministic action rule through carbon-sim env --stdio and print the
transcript as one JSON document: the reset answer and, per step, the action sent and the answer.
test/learn-python.test.ts replays the same actions on the TypeScript env and compares.

    python3 examples/python/run_steps.py --steps 100 --seed 3 -- node dist/cli.js -- \
        --workload W --cluster swf --carbon DE-2023
"""

import json
import sys

from carbon_sim_env import CarbonSimEnv, CarbonSimError


def rule(step, info, k):
    """Every 7th step waits; otherwise the last startable observed job (else wait)."""
    if step % 7 == 6:
        return "wait"
    valid = [i for i in range(k) if info["valid"][i]]
    return valid[-1] if valid else k


def main(argv):
    # argv: [--steps N] [--seed S] [--k K] -- command... -- env args...
    steps, seed, k = 100, 0, 8
    i = 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "--steps":
            steps = int(argv[i + 1])
        elif argv[i] == "--seed":
            seed = int(argv[i + 1])
        elif argv[i] == "--k":
            k = int(argv[i + 1])
        i += 2
    rest = argv[i + 1:]
    cut = rest.index("--")
    command, env_args = rest[:cut], rest[cut + 1:]
    opts = dict(zip(env_args[0::2], env_args[1::2]))
    extra = [a for kv in opts.items() if kv[0] not in ("--workload", "--cluster", "--carbon") for a in kv]
    env = CarbonSimEnv(opts["--workload"], opts["--cluster"], opts["--carbon"], k=k, extra_args=extra, command=command)
    try:
        obs, info = env.reset(seed=seed)
        transcript = {"reset": {"observation": obs, "info": info}, "steps": []}
        bad = None
        try:
            env.step(k + 5)
        except CarbonSimError as err:  # an invalid action is an error answer; the env goes on
            bad = str(err)
        transcript["invalid_action_error"] = bad
        for n in range(steps):
            action = rule(n, info, k)
            obs, reward, terminated, truncated, info = env.step(action)
            transcript["steps"].append({
                "action": action,
                "answer": {"observation": obs, "reward": reward, "terminated": terminated, "truncated": truncated, "info": info},
            })
            if terminated or truncated:
                break
    finally:
        env.close()
    json.dump(transcript, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
