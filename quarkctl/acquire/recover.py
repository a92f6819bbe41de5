"""A re-acquisition's crash recovery (issue 25): a pending intent in quarkctl_acquire names the folder a run saved
into before it died; the next run shares what is in that folder instead of saving again (acquire/job.py writes the
intent before the save)."""

from __future__ import annotations

from quarkctl.acquire.job import SAVE_SETTLES, Acquirer, _words
from quarkctl.acquire.take import existing_share, share_saved, videos_in
from quarkctl.db.acquire import WantedRow
from quarkctl.quark.drive import ApiFailure, TaskTimeout
from quarkctl.quark.shares import REFUSED_CODES
from quarkctl.reports.acquire import AcquireOutcome, Considered


def recover(acq: Acquirer) -> None:
    """A pending intent's folder holds what a crashed run saved: share it and finish the row. An empty folder
    may still be filling (Quark runs a save task on its own after the run died: an attacker's review, issue 25),
    so the row waits a day before the intent is dropped and the row tried again like any other. An intent whose save
    request was never sent (`prepared`: the run died between the folder's mkdir and the save) is dropped at once, and
    the row saved into its folder this run."""
    for intent in acq.db.pending_acquires():
        path = str(intent["saved_path"] or "")
        row = WantedRow(intent["resource_id"], intent["name"], "", intent["old_link"], True)
        if intent.get("status") == "prepared":  # killed before its save request: nothing can be filling the folder
            if not acq.options.dry_run:
                acq.db.abandon_acquire(intent["id"], acq.clock())
            if path:
                acq.unsent_folders[row.name] = path  # the row's save goes into it this run (acquire/job.py _take)
            continue
        taken = Considered(intent["candidate_link"], intent["candidate_note"] or "", intent["source"] or "", 0, "recover")
        try:
            fid = acq._guard(lambda: acq.session.path_fids([path]).get(path)) if path else None
            # done when it holds the result's video files (recorded with the intent): a save cut short holds
            # fewer, and a share of it would give the row an incomplete work (a review of issue 25)
            held = acq._guard(lambda: videos_in(acq.session, str(fid), acq.verifier.min_video_bytes)) if fid else None
            full = held is not None and held[0] > 0 and held[1] >= (intent.get("videos") or 0)
        except (ApiFailure, TaskTimeout) as exc:
            acq.waiting.add(row.name)
            acq._tell(AcquireOutcome(row.id, row.name, row.link, "failed", "share_failed", taken=taken, path=path, **_words(exc)))
            continue
        if not full:
            created = intent.get("created_at")
            if fid and created is not None and acq.clock() - created < SAVE_SETTLES:
                acq.waiting.add(row.name)
                acq._tell(AcquireOutcome(row.id, row.name, row.link, "skipped", "save_pending", taken=taken, path=path))
            elif not acq.options.dry_run:
                acq.db.abandon_acquire(intent["id"], acq.clock())
            continue
        acq.waiting.add(row.name)
        if acq.options.dry_run:
            acq._tell(AcquireOutcome(row.id, row.name, row.link, "planned", "recover", taken=taken, path=path))
            continue
        try:
            link = acq._guard(lambda: existing_share(acq.session, str(fid)) or share_saved(acq.session, str(fid), row.name))
        except (ApiFailure, TaskTimeout) as exc:
            # Still no share (a new user's review, issue 25: this crashed every later run with exit 70): a refusal
            # of the content is final, the intent dropped and the files left where they are; anything else waits
            # for the next run
            refused = isinstance(exc, ApiFailure) and exc.classified.api_code in REFUSED_CODES
            if refused:
                acq.db.abandon_acquire(intent["id"], acq.clock(), status="refused")
            acq._tell(AcquireOutcome(row.id, row.name, row.link, "failed", "share_refused" if refused else "share_failed",
                                     taken=taken, path=path, **_words(exc)))
            continue
        # the result's count stays the row's: the next replacement needs as many (fewer_videos)
        videos = intent.get("videos") or (held[1] if held else 0)
        row_id = acq.db.finish_acquire(intent["id"], row, new_link=link, videos=videos, now=acq.clock(), run_id=acq.report.run_id)
        action = "failed" if row_id is None else ("added" if row.id is None else "replaced")
        acq._tell(AcquireOutcome(row_id or row.id, row.name, row.link, action, "row_changed" if row_id is None else "recovered",
                                 new_link=link, taken=taken, path=path))
