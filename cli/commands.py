"""The ``finemotion`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _unusable_videos(rows: list[dict], video_dir: Path, args: argparse.Namespace) -> dict[str, str] | None:
    """Check every clip before anything is written: the unusable ones (video name -> why), or None to stop."""
    from finemotion_eval.prepared import unusable_videos

    problems = unusable_videos(rows, progress=True, verify=args.verify)
    if problems:
        shown = "\n  ".join(f"{name}: {reason}" for name, reason in list(problems.items())[:10])
        print(f"{len(problems)} of the videos in {video_dir} are missing or unreadable, e.g.\n  {shown}", file=sys.stderr)
        if not args.allow_missing_videos:
            print("Nothing written. Fix --videos, or pass --allow-missing-videos to prepare anyway (the questions of "
                  "these clips are then skipped, and named, when the tasks load).", file=sys.stderr)
            return None
    return problems


def _finish_prepare(benchmark, out: Path, count: int, args: argparse.Namespace) -> int:
    from finemotion_eval import locations

    print(f"wrote {count} rows to {out}")
    if not args.no_record:
        print(f"recorded as the default {benchmark.name} folder in {locations.record_data_dir(benchmark, out)}")
    return 0


def _mabench_prepare(args: argparse.Namespace) -> int:
    from finemotion_eval import locations
    from finemotion_eval.mabench_tasks.dataset import load_official, read_answers, write_prepared

    video_dir = locations.video_dir(locations.MABENCH, args.videos)
    answers = read_answers(args.answers) if args.answers else None
    rows, report = load_official(args.questions, video_dir=video_dir, answers=answers)
    print(report.summary())
    unusable = _unusable_videos(rows, video_dir, args)
    if unusable is None:
        return 2
    return _finish_prepare(locations.MABENCH, write_prepared(rows, args.out, report, video_dir, unusable), len(rows), args)


def _favor_prepare(args: argparse.Namespace) -> int:
    from finemotion_eval import locations
    from finemotion_eval.favor_tasks.dataset import load_release, write_prepared

    video_dir = locations.video_dir(locations.FAVOR, args.videos)
    questions, captions, report = load_release(args.release, video_dir=video_dir)
    print(report.summary())
    unusable = _unusable_videos([*questions, *captions], video_dir, args)
    if unusable is None:
        return 2
    out = write_prepared(questions, captions, args.out, report, video_dir, unusable)
    return _finish_prepare(locations.FAVOR, out, len(questions) + len(captions), args)


def _synth(args: argparse.Namespace) -> int:
    from finemotion_eval.synth.dataset import build

    width, height = (int(v) for v in args.size.lower().split("x"))
    manifest = build(args.out, clips=args.clips, seed=args.seed, splits=args.splits.split(","), size=(width, height),
                     workers=args.workers)
    counts = {split: sum(p["split"] == split for p in manifest["plan"]) for split in manifest["splits"]}
    print(f"MA-Synth in {args.out}: {counts} clips; "
          f"datasets.load_dataset('{Path(args.out) / 'test'}', 'cmar', split='test')")
    return 0


def _read_captions(path: str, what: str, value_kind: type) -> dict:
    """``{video_id: value}`` from a JSON object, or from a list of such objects (merged in order); each value a
    ``value_kind`` (a caption string, or a structured record)."""
    from finemotion_eval.inputs import InputFileError, read_json

    data = read_json(path, what)
    parts = data if isinstance(data, list) else [data]
    merged = {}
    for number, part in enumerate(parts):
        if not isinstance(part, dict):
            raise InputFileError(f"{path}: item {number}: expected an object of video id -> {what}, got {type(part).__name__}")
        for video, value in part.items():
            if not isinstance(value, value_kind):
                raise InputFileError(f"{path}: video {video!r}: expected a {value_kind.__name__}, got "
                                     f"{type(value).__name__} {str(value)[:60]!r}")
            merged[video] = value
    return merged


def _favor_llm_free(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from finemotion_eval.favor_tasks.wordlists import load_wordlists
    from finemotion_eval.metrics.favor_caption import check_nltk_resources, extract_record, score_corpus

    predictions = _read_captions(args.pred, "step-1 record" if args.structured else "caption",
                                 dict if args.structured else str)
    ground_truth = _read_captions(args.gt, "ground-truth annotation", dict)
    check_nltk_resources()
    wordlists = load_wordlists(args.wordlists)
    if not args.structured:
        predictions = {vid: extract_record(caption, wordlists) for vid, caption in tqdm(predictions.items(), desc="step 1", unit="caption")}
    print(f"step 2 ({args.mode} mode) on {len(predictions)} records ...", file=sys.stderr)
    scores = score_corpus(predictions, ground_truth, mode=args.mode, sbert=args.sbert, wordlists=wordlists)
    Path(args.out).write_text(json.dumps({"per_video": scores.per_video, "mean": scores.mean, "failures": scores.failures,
                                          "missing": scores.missing}, indent=2), encoding="utf-8")
    total = len(scores.per_video) + len(scores.failures) + len(scores.missing)
    print("  ".join(f"{key} {100 * value:.2f}" for key, value in scores.mean.items()))
    print(f"{len(scores.per_video)} of {total} videos scored, {len(scores.failures)} failed, {len(scores.missing)} without a "
          f"prediction; the means cover the scored videos only. Written to {args.out}")
    if scores.failures or scores.missing:
        shown = [*(f"{f['video_id']}: {f['error']}" for f in scores.failures[:5]), *(f"{v}: no prediction" for v in scores.missing[:5])]
        print("finemotion: " + ("warning" if args.allow_partial else "error") + ": not every video was scored, e.g.\n  "
              + "\n  ".join(shown), file=sys.stderr)
        if not args.allow_partial:
            print("finemotion: pass --allow-partial to accept a partial score.", file=sys.stderr)
            return 3
    return 0


def _format_score_table(score) -> str:
    lines = [f"{'task':<6} {'acc %':>7} {'n':>6} {'missing':>8} {'unparseable':>12}"]
    for task, value in score.accuracy.items():
        lines.append(f"{task:<6} {value:7.2f} {score.questions[task]:6d} {score.missing[task]:8d} {score.unparseable[task]:12d}")
    if score.average is not None:
        lines.append(f"{'AVG':<6} {score.average:7.2f}")
    return "\n".join(lines)


def _score(args: argparse.Namespace) -> int:
    from finemotion_eval.mabench_tasks.dataset import load_official
    from finemotion_eval.mabench_tasks.submission import read_predictions, score_closed

    rows, _ = load_official(args.answers)
    score = score_closed(read_predictions(args.predictions), rows)
    print(_format_score_table(score))
    if args.open_scores:
        from finemotion_eval.inputs import read_json
        from finemotion_eval.metrics import mac2026_final_score

        open_scores = read_json(args.open_scores, "open scores")
        print(f"MAC 2026 final score: {mac2026_final_score(score.accuracy, open_scores):.2f}")
    if args.json:
        payload = {"accuracy": score.accuracy, "average": score.average, "questions": score.questions,
                   "missing": score.missing, "unparseable": score.unparseable}
        Path(args.json).write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


def _export(args: argparse.Namespace) -> int:
    from finemotion_eval.mabench_tasks.closed import DEFAULT_PROMPTS
    from finemotion_eval.mabench_tasks.dataset import CHOICE_TASKS, CLOSED_TASKS, TASKS
    from finemotion_eval.mabench_tasks.submission import run_sample_logs, submission_from_samples
    from finemotion_eval.prompts import read_prompt

    def prompt_of(task: str) -> str:
        if task not in CLOSED_TASKS:
            return read_prompt("mabench/open.txt")
        return read_prompt(DEFAULT_PROMPTS["choice_prompt" if task in CHOICE_TASKS else "yes_no_prompt"])

    logs = run_sample_logs(args.samples)
    submission = submission_from_samples(logs.values(), {task: prompt_of(task) for task in TASKS})
    Path(args.out).write_text(json.dumps(submission, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {len(submission['answers'])} answers from {len(logs)} sample logs of one run to {args.out}")
    return 0


def _random(args: argparse.Namespace) -> int:
    from finemotion_eval.mabench_tasks.dataset import CLOSED_TASKS, load_official
    from finemotion_eval.metrics import random_expected_accuracy
    from finemotion_eval.model_adapters.random_choice import offered_answers, random_answer

    rows = [r for r in load_official(args.questions)[0] if r["task"] in CLOSED_TASKS]
    answers = [{"qid": row["qid"], "pred_answer": random_answer(f"mabench_{row['task'].lower()}", row, args.seed)}
               for row in rows]
    Path(args.out).write_text(json.dumps({"prompts": [], "answers": answers}, indent=2), encoding="utf-8")
    print(f"wrote {len(answers)} seeded random answers to {args.out}; expected accuracy of uniform guessing:")
    for task in CLOSED_TASKS:
        offered = [len(offered_answers(f"mabench_{task.lower()}", r["options"])) for r in rows if r["task"] == task]
        print(f"  {task:<5} {random_expected_accuracy(offered):6.2f}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from finemotion_eval.lmms_run import EvaluationFailed, run_lmms_eval

    lmms_args = args.lmms_eval_args[1:] if args.lmms_eval_args[:1] == ["--"] else args.lmms_eval_args
    try:
        results = run_lmms_eval(lmms_args)
    except (EvaluationFailed, ValueError) as err:
        print(f"finemotion: error: {err}", file=sys.stderr)
        return 1
    print(f"results: {results}")
    return 0


def _rescore(args: argparse.Namespace) -> int:
    from finemotion_eval.lmms_run import rescore

    scores = rescore(args.samples)
    for task, metrics in scores.items():
        shown = "  ".join(f"{metric} {value:.4f}" if isinstance(value, float) else f"{metric} {value}"
                          for metric, value in metrics.items() if not metric.endswith("_stderr"))
        print(f"{task}: {shown}")
    if args.json:
        Path(args.json).write_text(json.dumps(scores, indent=2), encoding="utf-8")
        print(f"written to {args.json}")
    return 0


def _tasks_dir(args: argparse.Namespace) -> int:
    from finemotion_eval.lmms_plugin import task_dirs

    print("\n".join(task_dirs()))
    return 0


def _track(args: argparse.Namespace) -> int:
    from finemotion_eval.tracker.batch import TrackerSetupError, track_videos
    from finemotion_eval.tracker.pipeline import TrackerConfig

    try:
        config = TrackerConfig.parse(args.tracker)
        if args.ray is None:
            summary = track_videos(args.paths, args.out, config, workers=args.workers or 1)
        else:
            from finemotion_eval.tracker.ray_job import track_videos_ray

            summary = track_videos_ray(args.paths, args.out, config, address=args.ray or None, concurrency=args.workers)
    except (ValueError, ImportError, TrackerSetupError) as err:  # a bad --tracker spec, clashing clip names, a missing extra
        print(f"finemotion: error: {err}", file=sys.stderr)
        return 2
    print(summary.report())
    return 0 if summary.ok else 1


def _build(args: argparse.Namespace) -> int:
    from finemotion_eval.generate.build import BuildSettings, build
    from finemotion_eval.generate.labels import read_clip_info
    from finemotion_eval.judges import JudgeConfig
    from finemotion_eval.judges.client import check_reachable
    from finemotion_eval.tracker.batch import TrackerSetupError
    from finemotion_eval.tracker.pipeline import TrackerConfig

    try:
        llm = JudgeConfig.from_spec(args.llm) if args.llm else None
        filter_llm = JudgeConfig.from_spec(args.filter_llm) if args.filter_llm else None
        settings = BuildSettings(
            llm=llm, filters=tuple(filter(None, args.filters.split(","))), filter_llm=filter_llm, shuffles=args.shuffles,
            frames=args.frames, tracker=TrackerConfig.parse(args.tracker), workers=args.workers, seed=args.seed,
            test_share=args.test_share, questions_per_task=args.questions_per_task)
        for config, what in ((llm, "--llm"), (filter_llm, "--filter-llm")):
            if config is not None and config.base_url:  # before hours of tracking, not after
                check_reachable(config.base_url, config.timeout_s, f"the {what} endpoint")
        clip_info = read_clip_info(args.labels) if args.labels else None
        report = build(args.videos_dir, args.out, clip_info, settings)
    except (ValueError, ImportError, TrackerSetupError) as err:
        print(f"finemotion: error: {err}", file=sys.stderr)
        return 2
    kept = {split: sum(tasks.values()) for split, tasks in report.final.items()}
    print(f"built {args.out}: {kept} questions; report in {Path(args.out) / 'build_report.md'}\n"
          f"  datasets.load_dataset('{Path(args.out) / 'test'}', 'sad', split='test')\n"
          f"  FINEMOTION_MABENCH_DIR={Path(args.out) / 'test'} lmms-eval --tasks mabench_closed ...")
    if not report.ok:
        print("finemotion: some clips, requests or filter questions failed (named in the report); "
              "run the same command again to retry only those", file=sys.stderr)
    return 0 if report.ok else 1


def _filter(args: argparse.Namespace) -> int:
    from finemotion_eval.generate.filter_folder import REPORT_MARKDOWN, filter_prepared
    from finemotion_eval.judges import JudgeConfig
    from finemotion_eval.judges.client import check_reachable

    try:
        config = JudgeConfig.from_spec(args.llm)
        if config.base_url:
            check_reachable(config.base_url, config.timeout_s, "the --llm endpoint")
        report = filter_prepared(args.folder, args.out, [n for n in args.filters.split(",") if n], config,
                                 shuffles=args.shuffles, frames=args.frames, seed=args.seed)
    except ValueError as err:
        print(f"finemotion: error: {err}", file=sys.stderr)
        return 2
    undecided = sum(len(run["undecided"]) for run in report["filters"].values())
    print(f"{report['kept']} of {report['questions']} closed questions kept; filtered folder {args.out}, "
          f"report {Path(args.out) / REPORT_MARKDOWN}")
    if undecided:
        print(f"finemotion: {undecided} questions could not be asked (kept, named in the report); run again to retry them",
              file=sys.stderr)
    return 1 if undecided else 0


def _report(args: argparse.Namespace) -> int:
    from finemotion_eval.report.write import write_report

    try:
        report = write_report(args.runs, args.out, title=args.title)
    except (ValueError, ImportError) as err:
        print(f"finemotion: error: {err}", file=sys.stderr)
        return 2
    print(f"report of {len(report.runs)} runs: {Path(args.out).resolve() / 'report.html'} "
          f"(also report.md, table_*.md/.tex/.csv, scores.csv, paired.csv, failures.csv, fig_*.png)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finemotion", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    tasks_dir = commands.add_parser("tasks-dir", help="print our lmms-eval task folders (for --include_path)")
    tasks_dir.set_defaults(run=_tasks_dir)

    evaluate = commands.add_parser(
        "evaluate", help="run lmms-eval with these arguments; fail (exit 1, its error shown) unless it wrote results",
        description="lmms-eval 0.7.3 exits 0 after a failed evaluation; this exits 1 unless a results file was written.")
    evaluate.add_argument("lmms_eval_args", nargs=argparse.REMAINDER, help="-- then lmms-eval's arguments (--output_path required)")
    evaluate.set_defaults(run=_evaluate)

    rescore = commands.add_parser(
        "rescore", help="score one lmms-eval run again from its --log_samples files, without generating again",
        description="Applies our tasks' own aggregations to a run's sample logs: scores that failed or were not "
                    "computed then (no judge configured, say) are computed now, with today's settings.")
    rescore.add_argument("samples", nargs="+", help="the sample .jsonl files of one run, or a folder holding them")
    rescore.add_argument("--json", help="also write the scores here")
    rescore.set_defaults(run=_rescore)

    mabench = commands.add_parser("mabench", help="MA-Bench data, scoring and submissions").add_subparsers(dest="mabench_command", required=True)

    prepare = mabench.add_parser("prepare", help="turn official question files into a folder our tasks and `datasets` read")
    prepare.add_argument("--questions", required=True, help="official question file (mabench_data.json or the answered sample)")
    prepare.add_argument("--answers", help="answered file whose answers are attached by qid")
    _add_prepare_arguments(prepare, "$FINEMOTION_MABENCH_VIDEOS")
    prepare.set_defaults(run=_mabench_prepare)

    score = mabench.add_parser("score", help="score predictions (submission or answered file) against answers")
    score.add_argument("--predictions", required=True, help="MAC 2026 submission JSON, or a list of {qid, answer}")
    score.add_argument("--answers", required=True, help="answered question file (official sample layout)")
    score.add_argument("--open-scores", help="JSON of the six open L-scores (MADU_L1..MARE_L3) for the final score")
    score.add_argument("--json", help="also write the scores here")
    score.set_defaults(run=_score)

    export = mabench.add_parser("export", help="write a MAC 2026 submission from lmms-eval --log_samples output")
    export.add_argument("--samples", nargs="+", required=True,
                        help="the sample .jsonl files of one lmms-eval run of mabench_* tasks, or a folder holding them")
    export.add_argument("--out", required=True)
    export.set_defaults(run=_export)

    random_ = mabench.add_parser("random", help="seeded random-guess submission for a question file")
    random_.add_argument("--questions", required=True)
    random_.add_argument("--seed", type=int, default=0)
    random_.add_argument("--out", required=True)
    random_.set_defaults(run=_random)
    synth = commands.add_parser("synth", help="build MA-Synth: rendered micro-action clips with exact answers")
    synth.add_argument("--out", required=True)
    synth.add_argument("--clips", type=int, default=600, help="clips over both splits (about 20%% go to test)")
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--splits", default="train,test", help="comma-separated: train, test")
    synth.add_argument("--size", default="160x192", help="WIDTHxHEIGHT of the clips")
    synth.add_argument("--workers", type=int, help="rendering processes (default: one per CPU)")
    synth.set_defaults(run=_synth)

    track = commands.add_parser(
        "track", help="describe the motion of clips with the micro-movement tracker: one <clip>.json record per clip",
        description="Resumable: clips whose record is already in --out are skipped, so rerun after a kill or to retry the "
                    "failed clips. Exit status 1 when any clip failed (they are listed, and kept in --out/_failures.jsonl).")
    track.add_argument("paths", nargs="+", help="clips, or folders of clips (.mp4 .avi .mkv .mov .webm; not recursive)")
    track.add_argument("--out", required=True, help="folder of the records")
    track.add_argument("--workers", type=int,
                       help="tracking processes (default 1), or Ray actors with --ray (default one per CPU)")
    track.add_argument("--tracker", default="",
                       help="tracker settings, e.g. skeleton=keypoints,max_side=320 (default: mediapipe)")
    track.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                       help="run as a Ray Data job: alone, on a local Ray instance; with ray://HEAD:10001 or auto, on "
                            "that cluster (clips and --out on storage every node sees); after the paths, or as --ray=ADDRESS")
    track.set_defaults(run=_track)

    build = commands.add_parser(
        "build", help="build a benchmark from your clips: track, describe, generate, check, filter, split, write",
        description="Resumable at every stage: run the same command again after a kill; finished clips are not tracked "
                    "again and no answered request is sent again. Exit status 1 when any clip, request or filter question "
                    "failed (named in OUT/build_report.md). docs/build.md has the details.")
    build.add_argument("videos_dir", help="folder of <stem>.mp4 clips")
    build.add_argument("--out", required=True, help="folder of the build")
    build.add_argument("--llm", help="language model for descriptions and questions: base_url=URL,model=NAME[,api_key_env=VAR,"
                                     "concurrency=N,max_tokens=N]; without it, templates only (offline)")
    _add_filter_arguments(build, default="")
    build.add_argument("--filter-llm", help="model the filters ask (same form as --llm; default: --llm)")
    build.add_argument("--labels", help="clip labels and subjects: JSON {stem: {label, subject}}, CSV video,label,subject, "
                                        "or a folder of MA-Synth truth files")
    build.add_argument("--tracker", default="", help="tracker settings as for `finemotion track` (default: mediapipe)")
    build.add_argument("--workers", type=int, default=1, help="tracking processes (default 1)")
    build.add_argument("--test-share", type=float, default=0.2, help="share of the clips in the test split (default 0.2)")
    build.add_argument("--questions-per-task", type=int, default=2, help="Yes/No questions asked of the LLM per task and clip")
    build.set_defaults(run=_build)

    filter_ = commands.add_parser(
        "filter", help="drop the questions of a prepared folder that a model answers blind or from single frames",
        description="Works on any prepared folder (finemotion mabench/favor prepare, finemotion build); writes a filtered "
                    "copy to --out, the removed questions with the model's answers, and a report. Resumable: every answer "
                    "is cached in --out/llm_cache.sqlite.")
    filter_.add_argument("folder", help="a prepared folder")
    filter_.add_argument("--out", required=True, help="folder of the filtered copy")
    filter_.add_argument("--llm", required=True, help="the model to ask: base_url=URL,model=NAME[,api_key_env=VAR,...]")
    _add_filter_arguments(filter_, default="blind")
    filter_.set_defaults(run=_filter)

    report = commands.add_parser(
        "report", help="tables beside the published models, 95%% intervals, paired tests, failures, protocol cards, "
                       "breakdowns, figures and a self-contained report.html for lmms-eval runs")
    report.add_argument("runs", nargs="+", help="lmms-eval --output_path folders (searched for *_results.json) or results files")
    report.add_argument("--out", required=True, help="folder of the report")
    report.add_argument("--title", help="the report's title (default: the runs' models)")
    report.set_defaults(run=_report)

    favor = commands.add_parser("favor", help="FAVOR-Bench data").add_subparsers(dest="favor_command", required=True)
    favor_prepare = favor.add_parser("prepare", help="turn the official release file into a folder our tasks and `datasets` read")
    favor_prepare.add_argument("--release", required=True, help="video_perspective.json or question_perspective.json")
    _add_prepare_arguments(favor_prepare, "$FINEMOTION_FAVOR_VIDEOS")
    favor_prepare.set_defaults(run=_favor_prepare)

    from finemotion_eval.metrics.favor_caption.resources import DEFAULT_SBERT_MODEL

    llm_free = favor.add_parser("llm-free", help="score captions with the LLM-free metric (official step 1 + step 2)")
    llm_free.add_argument("--pred", required=True, help="{video_id: caption} JSON (or step-1 records with --structured)")
    llm_free.add_argument("--gt", required=True, help="ground-truth annotations (FAVOR_gt_annotations.json format)")
    llm_free.add_argument("--structured", action="store_true", help="--pred holds step-1 records in the official format")
    llm_free.add_argument("--mode", choices=("official", "strict"), default="official")
    llm_free.add_argument("--sbert", default=DEFAULT_SBERT_MODEL, help="Sentence-BERT model name or local path")
    llm_free.add_argument("--wordlists", help="official word lists (JSON dump or .pkl); default $FINEMOTION_FAVOR_WORDLISTS or the cache")
    llm_free.add_argument("--out", required=True)
    llm_free.add_argument("--allow-partial", action="store_true",
                          help="exit 0 even when some videos failed or have no prediction (they are listed either way)")
    llm_free.set_defaults(run=_favor_llm_free)
    return parser


def _add_filter_arguments(parser: argparse.ArgumentParser, default: str) -> None:
    """The blind and single-frame filters' settings, the same for `finemotion build` and `finemotion filter`."""
    parser.add_argument("--filters", default=default, help="comma-separated, applied in order: blind, single-frame")
    parser.add_argument("--shuffles", type=int, default=3, help="option orders each question is asked in (default 3)")
    parser.add_argument("--frames", type=int, default=1, help="frames the single-frame filter shows (default 1; FAVOR used 5)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the option orders (and the build's choices)")


def _add_prepare_arguments(parser: argparse.ArgumentParser, videos_env: str) -> None:
    parser.add_argument("--videos", help=f"folder of <video_name>.mp4 (default: {videos_env} or the HF cache)")
    parser.add_argument("--out", required=True, help="folder to write")
    parser.add_argument("--allow-missing-videos", action="store_true",
                        help="write even if clips are missing or broken; their questions are skipped, and named, at evaluation")
    parser.add_argument("--verify", choices=("header", "sampled", "full"), default="sampled",
                        help="how each clip is checked: its headers; the sampled frames and the last one (default); every frame")
    parser.add_argument("--no-record", action="store_true", help="do not make this the default folder in the config file")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from finemotion_eval.favor_tasks.wordlists import WordlistError
    from finemotion_eval.inputs import InputFileError
    from finemotion_eval.locations import DataNotConfiguredError
    from finemotion_eval.metrics.favor_caption import MissingResourceError

    try:
        return args.run(args)
    except (DataNotConfiguredError, InputFileError, WordlistError, MissingResourceError, FileNotFoundError) as err:
        print(f"finemotion: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
