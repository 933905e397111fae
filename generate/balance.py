"""Answer balance per task: keyed letters spread evenly over the positions, as many Yes as No.

Both are applied to the final question set (after the filters), so what is balanced is what is evaluated:
choice questions get their options re-ordered (the keyed option at a seeded position, each position used
equally often per task in blocks of as many questions as options); for Yes/No tasks the larger side loses
seeded questions until both sides are equal. Pure functions: rows in, rows out.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from finemotion_eval.mabench_tasks.dataset import CHOICE_TASKS, YES_NO_TASKS, format_question, split_question
from finemotion_eval.metrics import DEFAULT_LETTERS


def balance_letters(rows: Sequence[dict], seed: int = 0) -> list[dict]:
    """``rows`` with every choice question's keyed option moved to a balanced position (others as they are)."""
    out, seen = [], {task: 0 for task in CHOICE_TASKS}
    for row in rows:
        if row["task"] not in CHOICE_TASKS:
            out.append(row)
            continue
        stem, options = split_question(row["question"])
        keyed = options[DEFAULT_LETTERS.index(row["answer"])]
        others = [o for o in options if o != keyed]
        k, n = seen[row["task"]], len(options)
        seen[row["task"]] += 1
        block = list(range(n))
        random.Random(f"{seed}/{row['task']}/{k // n}").shuffle(block)
        position = block[k % n]
        order = others[:position] + [keyed] + others[position:]
        out.append({**row, "question": format_question(stem, order), "answer": DEFAULT_LETTERS[position]})
    return out


def balance_yes_no(rows: Sequence[dict], seed: int = 0) -> tuple[list[dict], list[dict]]:
    """(kept rows, dropped rows): per Yes/No task, seeded questions of the larger side dropped to equal counts."""
    dropped_ids: set[str] = set()
    for task in YES_NO_TASKS:
        sides = {answer: [r["id"] for r in rows if r["task"] == task and r["answer"] == answer] for answer in ("Yes", "No")}
        small, large = sorted(sides.values(), key=len)
        dropped_ids.update(random.Random(f"{seed}/{task}/balance").sample(large, len(large) - len(small)))
    return [r for r in rows if r["id"] not in dropped_ids], [r for r in rows if r["id"] in dropped_ids]
