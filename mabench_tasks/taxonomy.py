"""The MA-52 micro-action taxonomy MA-Bench asks about: seven coarse body-part groups and 52 fine labels."""
from __future__ import annotations

COARSE_LABELS: tuple[str, ...] = ("Body", "Head", "Upper limb", "Lower limb", "Body-hand", "Head-hand", "Leg-hand")

# MA-52 fine labels in fine_id order with their coarse group.
FINE_TO_COARSE: dict[str, str] = {
    **dict.fromkeys(("shaking body", "sitting straightly", "shrugging", "turning around", "rising up"), "Body"),
    **dict.fromkeys(("bowing head", "head up", "tilting head", "turning head", "nodding", "shaking head"), "Head"),
    **dict.fromkeys((
        "scratching arms", "playing objects", "putting hands together", "rubbing hands", "pointing oneself",
        "clenching fist", "stretching arms", "retracting arms", "waving", "spreading hands",
        "hands touching fingers", "other finger movements", "illustrative gestures"), "Upper limb"),
    **dict.fromkeys((
        "shaking legs", "curling legs", "spread legs", "closing legs", "crossing legs", "stretching feet",
        "retracting feet", "tiptoe"), "Lower limb"),
    **dict.fromkeys((
        "scratching or touching neck", "scratching or touching chest", "scratching or touching back",
        "scratching or touching shoulder", "arms akimbo", "crossing arms"), "Body-hand"),
    **dict.fromkeys((
        "playing or tidying hair", "scratching or touching hindbrain", "scratching or touching forehead",
        "scratching or touching face", "rubbing eyes", "touching nose", "touching ears", "covering face",
        "covering mouth", "pushing glasses"), "Head-hand"),
    **dict.fromkeys(("patting legs", "touching legs", "scratching legs", "scratching feet"), "Leg-hand"),
}
