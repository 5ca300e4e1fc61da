"""Decode a session's cameras in parallel and align each pair as soon as both tracks exist.

Decoding is most of the work of a long session, so the schedule keeps every
core busy with it and hides what would otherwise sit on the critical path:

* the parent process decodes the costliest camera itself while a process
  pool decodes the others, so there are as many decoders as cores and the
  pool's start-up (half a second for a forkserver) overlaps useful work;
* the cameras wait in one queue, costliest first, that the parent and the
  pool's workers take from as each finishes a file: a session of many takes
  keeps both cores decoding to its last file (longest-first list scheduling);
* workers hand tracks back as memory-mapped ``.npy`` files, not pickles;
* a pair is aligned in a thread as soon as both of its tracks are in, on the
  core its finished decoder left idle.

Alignments are the same pure ``align_pair`` calls in the same (a, b) order as
the serial path, so results do not depend on the schedule.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from worker.errors import MediaError, NoAudioStream, SyncInputError
from worker.sync.analysis import CameraInput, TrackFiles, analyse, load_track, save_track
from worker.sync.decode import probe_audio
from worker.sync.pairwise import PairAlignment, SyncParams, align_pair
from worker.sync.track import Track

ProgressFn = Callable[[str, float], None]
Pair = tuple[str, str]

# How often the watcher thread looks at the workers.
_POLL_S = 0.1


class _Aborted(Exception):
    """A worker was told to stop because the run already failed."""


# Shared ctypes arrays may only reach a child at its start, not as task arguments.
_shared_progress: Any = None
_shared_abort: Any = None


def _init_worker(progress: Any, abort: Any) -> None:
    global _shared_progress, _shared_abort
    _shared_progress, _shared_abort = progress, abort


def _decode_worker(path: str, rate: int, slot: int, directory: str) -> TrackFiles:
    def report(frac: float) -> None:
        if _shared_abort is not None and _shared_abort.value:
            raise _Aborted
        if _shared_progress is not None:
            _shared_progress[slot] = frac

    track = analyse(path, rate, report)
    return save_track(track, directory, f"cam{slot}")


@dataclass
class SessionTracks:
    """What the parallel run produced: tracks, unusable cameras, finished alignments."""

    tracks: dict[str, Track] = field(default_factory=dict)
    unusable: dict[str, str] = field(default_factory=dict)
    aligned: dict[Pair, PairAlignment | None] = field(default_factory=dict)


class _Run:
    """State of one parallel run.

    The cameras not yet started wait in one queue, costliest first. The main thread
    decodes the costliest camera, then takes the next from the queue until it is
    empty; a watcher thread keeps every pool worker fed from the same queue, collects
    their tracks, and starts each pair's alignment as soon as both of its tracks are
    in. A failure seen by the watcher stops the parent's decode at its next progress
    report.
    """

    def __init__(
        self,
        cameras: Sequence[CameraInput],
        queue: list[CameraInput],
        pool: ProcessPoolExecutor,
        pool_size: int,
        shared: Any,
        abort: Any,
        aligner: ThreadPoolExecutor,
        params: SyncParams | None,
        progress: ProgressFn | None,
        wanted: Callable[[str, str], bool],
        tmp: str,
        rate: int,
    ) -> None:
        self.rate = rate
        self.order = [c.label for c in cameras]
        self.wanted = wanted
        self.queue = list(queue)
        self.pool = pool
        self.pool_size = pool_size
        self.workers: dict[str, Future[TrackFiles]] = {}
        self.slots: dict[str, int] = {}
        self.shared = shared
        self.abort = abort
        self.aligner = aligner
        self.params = params
        self.progress = progress
        self.tmp = tmp
        self.result = SessionTracks()
        self.alignments: dict[Pair, Future[PairAlignment | None]] = {}
        self.collected: set[str] = set()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        # Set by a worker's finished future: the watcher tops the pool up at once.
        self.wake = threading.Event()
        self.failure: BaseException | None = None

    def feed(self) -> None:
        """Give idle pool workers the costliest queued cameras (call under ``lock``,
        or before any thread exists)."""
        busy = sum(1 for f in self.workers.values() if not f.done())
        while busy < self.pool_size and self.queue:
            cam = self.queue.pop(0)
            slot = self.slots[cam.label] = len(self.slots)
            fut = self.pool.submit(_decode_worker, str(cam.path), self.rate, slot, self.tmp)
            fut.add_done_callback(lambda _f: self.wake.set())
            self.workers[cam.label] = fut
            busy += 1

    def _take(self) -> CameraInput | None:
        with self.lock:
            return self.queue.pop(0) if self.queue else None

    def _settle(self, label: str, track: Track | None, reason: str | None) -> None:
        self.collected.add(label)
        if track is not None:
            self.result.tracks[label] = track
        elif reason is not None:
            self.result.unusable[label] = reason
        ready = set(self.result.tracks)
        for la, lb in combinations(self.order, 2):
            if (
                (la, lb) not in self.alignments
                and la in ready
                and lb in ready
                and self.wanted(la, lb)
            ):
                a, b = self.result.tracks[la], self.result.tracks[lb]
                self.alignments[(la, lb)] = self.aligner.submit(align_pair, a, b, self.params)

    def _collect(self) -> None:
        """Take in finished workers' tracks and feed the pool; raise on input that is
        not media."""
        for label, fut in self.workers.items():
            if label in self.collected or not fut.done():
                continue
            exc = fut.exception()
            if exc is None:
                self._settle(label, load_track(fut.result()), None)
            elif isinstance(exc, NoAudioStream):
                self._settle(label, None, str(exc))
            elif isinstance(exc, MediaError):
                raise SyncInputError(f"camera {label}: {exc}") from exc
            else:
                raise exc
        self.feed()
        if self.progress is not None:
            for label, fut in self.workers.items():
                frac = 1.0 if fut.done() else float(self.shared[self.slots[label]])
                self.progress(label, frac)

    def watch(self) -> None:
        """Watcher thread body: collect when a worker finishes, or every ``_POLL_S``
        (progress), until stopped or failed."""
        while not self.stopped.is_set():
            self.wake.wait(_POLL_S)
            self.wake.clear()
            try:
                with self.lock:
                    self._collect()
            except BaseException as exc:  # handed to the main thread
                self.failure = exc
                self.abort.value = 1
                return

    def decode_here(self, cam: CameraInput) -> None:
        """Decode ``cam`` in this (the main) thread."""

        def report(frac: float) -> None:
            if self.failure is not None:
                raise self.failure
            if self.progress is not None:
                self.progress(cam.label, frac)

        try:
            track = analyse(cam.path, self.rate, report)
        except NoAudioStream as exc:
            with self.lock:
                self._settle(cam.label, None, str(exc))
            if self.progress is not None:
                self.progress(cam.label, 1.0)  # done with it, as the workers report
        except MediaError as exc:
            raise SyncInputError(f"camera {cam.label}: {exc}") from exc
        else:
            with self.lock:
                self._settle(cam.label, track, None)

    def decode_queue(self, own: CameraInput) -> None:
        """The main thread's share: ``own``, then queued cameras until none is left."""
        cam: CameraInput | None = own
        while cam is not None:
            self.decode_here(cam)
            cam = self._take()

    def finish(self, watcher: threading.Thread) -> SessionTracks:
        """Wait for the workers, stop the watcher, then for every alignment.

        Called once ``decode_queue`` found the queue empty: no worker is added any more.
        """
        pending = [f for f in self.workers.values() if not f.done()]
        while pending and self.failure is None:
            _, still = wait(pending, timeout=_POLL_S)
            pending = list(still)
        self.stopped.set()
        self.wake.set()
        watcher.join()
        if self.failure is not None:
            raise self.failure
        with self.lock:
            self._collect()
        for pair, fut in self.alignments.items():
            self.result.aligned[pair] = fut.result()
        return self.result


def _mp_context() -> Any:
    if (
        sys.platform == "linux"
        and threading.active_count() == 1
        and threading.current_thread() is threading.main_thread()
    ):
        # Nothing else runs in this process (the CLI): a forked worker starts
        # at once with everything imported, half a second before a forkserver's.
        return mp.get_context("fork")
    # The service calls this from a thread, and forking a threaded process can
    # deadlock the child: a forkserver starts workers from a clean process.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["worker.sync.parallel"])
    return ctx


def decode_and_align(
    cameras: Sequence[CameraInput],
    *,
    rate: int,
    params: SyncParams | None = None,
    progress: ProgressFn | None = None,
    jobs: int | None = None,
    costs: Mapping[str, float] | None = None,
    wanted: Callable[[str, str], bool] | None = None,
) -> SessionTracks:
    """Decode every camera across ``jobs`` processes (the parent included) and
    align every pair of usable tracks (or those ``wanted`` says).

    :param cameras: two or more cameras whose files exist.
    :param jobs: concurrent decoders (default: the CPU count).
    :param costs: each camera's ``AudioProbe.decode_cost``, when already probed.
    :param wanted: which pairs (a, b), a before b in ``cameras``, to align (default all).
    :raises SyncInputError: a file is not media at all.
    """
    if costs is None:
        costs = {c.label: probe_audio(c.path).decode_cost for c in cameras}
    by_cost = sorted(cameras, key=lambda c: -costs[c.label])  # stable: ties keep label order
    own, rest = by_cost[0], by_cost[1:]
    decoders = jobs if jobs is not None else (os.cpu_count() or 1)
    pool_size = max(1, min(len(rest), decoders - 1))
    ctx = _mp_context()
    shared = ctx.Array("d", max(1, len(rest)), lock=False)
    abort = ctx.Value("b", 0, lock=False)
    with tempfile.TemporaryDirectory(prefix="multicam-sync-") as tmp:
        pool = ProcessPoolExecutor(
            max_workers=pool_size,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(shared, abort),
        )
        aligner = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        run = _Run(
            cameras,
            rest,
            pool,
            pool_size,
            shared,
            abort,
            aligner,
            params,
            progress,
            wanted or (lambda a, b: True),
            tmp,
            rate,
        )
        # Threads only after the workers exist (they may be forked): the first
        # submission starts them.
        run.feed()
        watcher = threading.Thread(target=run.watch, name="multicam-sync-watch", daemon=True)
        watcher.start()
        try:
            run.decode_queue(own)
            result = run.finish(watcher)
        except BaseException:
            # Stop the workers' decoding now rather than at their files' ends.
            abort.value = 1
            run.stopped.set()
            run.wake.set()
            watcher.join()
            pool.shutdown(wait=True, cancel_futures=True)
            aligner.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        aligner.shutdown(wait=True)
    return result
