"""A stdlib-only Python client for carbon-sim's step API.

It runs ``carbon-sim env --stdio ...`` as a child process and speaks its JSON-lines protocol:
one request object per line on the child's stdin, one answer per line on its stdout. The class
exposes Gymnasium's contract, ``reset(seed) -> (observation, info)`` and
``step(action) -> (observation, reward, terminated, truncated, info)``, and subclasses
``gymnasium.Env`` (with ``action_space = Discrete(k + 1)``) when gymnasium is installed; nothing
else is needed. Observations are the dictionaries the TypeScript API returns (docs/learning.md).

    from carbon_sim_env import CarbonSimEnv
    env = CarbonSimEnv("KTH-SP2-1996-2.1-cln.swf.gz", cluster="swf", carbon="DE-2023")
    obs, info = env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(0)   # start the first observed job
    env.close()
"""

import json
import subprocess

try:  # optional: a real gymnasium.Env when gymnasium is there
    import gymnasium
    from gymnasium import spaces

    _Base = gymnasium.Env
except ImportError:  # stdlib only
    gymnasium = None
    spaces = None
    _Base = object


class CarbonSimError(RuntimeError):
    """The server answered {"error": ...}: a bad request or an invalid action. The env keeps serving."""


class CarbonSimEnv(_Base):
    metadata = {"render_modes": []}

    def __init__(self, workload, cluster, carbon, k=8, horizon=12, reward=None, extra_args=(), command=("carbon-sim",)):
        args = list(command) + [
            "env", "--stdio",
            "--workload", str(workload),
            "--cluster", str(cluster),
            "--carbon", str(carbon),
            "--k", str(k),
            "--horizon", str(horizon),
        ]
        if reward:
            args += ["--reward", ",".join("%s=%s" % kv for kv in reward.items())]
        args += list(extra_args)
        self.k = k
        self._proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        if spaces is not None:
            self.action_space = spaces.Discrete(k + 1)

    def _call(self, request):
        if self._proc is None:
            raise CarbonSimError("the env is closed")
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            err = self._proc.stderr.read()
            raise CarbonSimError("carbon-sim env stopped: " + (err.strip() or "no answer"))
        answer = json.loads(line)
        if "error" in answer:
            raise CarbonSimError(answer["error"])
        return answer

    def reset(self, seed=None, options=None):
        if gymnasium is not None:
            super().reset(seed=seed)
        answer = self._call({"op": "reset", "seed": 0 if seed is None else int(seed)})
        return answer["observation"], answer["info"]

    def step(self, action):
        answer = self._call({"op": "step", "action": action if action == "wait" else int(action)})
        return answer["observation"], answer["reward"], answer["terminated"], answer["truncated"], answer["info"]

    def close(self):
        if self._proc is None:
            return
        try:
            self._call({"op": "close"})
        except (CarbonSimError, BrokenPipeError, OSError):
            pass
        self._proc.stdin.close()
        self._proc.wait(timeout=30)
        self._proc.stdout.close()
        self._proc.stderr.close()
        self._proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
