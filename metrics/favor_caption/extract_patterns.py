"""Fixed regexes and word tables of the official FAVOR step 1 (SPEC 3.3), in the official order.

Order matters wherever a list is scanned with "first match wins"; case-sensitivity and the lack of
word boundaries are kept as the official outputs depend on them.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Camera: specific phrases, then general ones; case-sensitive except where a class allows both cases.
CAMERA_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"[Tt]he camera then pans", r"[Tt]he camera shifts", r"[Tt]he camera follows", r"[Tt]he camera pans",
        r"[Tt]he camera then shifts", r"[Tt]he scene transitions", r"[Tt]he camera (?:slowly|quickly|gradually)",
        r"[Tt]he camera moves", r"[Tt]he camera (?:remains|stays)", r"[Tt]he camera (?:is|appears to be)",
        r"[Tt]he camera continues", r"[Tt]he camera zooms", r"[Tt]he camera (?:tracks|follows)",
        r"[Aa] (?:tracking|panning|zoom|dolly) shot", r"[Tt]he (?:shot|frame|video|scene) transitions",
        r"[Tt]he (?:shot|frame|video|scene) changes", r"[Tt]he (?:focus|angle|perspective) shifts",
        r"[Tt]he video starts with", r"[Tt]he video begins with", r"[Tt]he video shows",
        r"[Tt]he scene begins with", r"[Tt]he scene starts with", r"[Cc]amera (?:then )?cuts to",
        r"[Tt]he static shot", r"[Ss]tationary shot", r"[Ss]tatic (?:shot|camera)", r"[Cc]apturing the.*from",
        r"[Oo]verhead (?:shot|view)", r"[Ff]irst-person perspective",
        *(rf"(?:the\s+)?camera\s+{v}" for v in (
            "(?:pan|pans|panned|panning)", "(?:zoom|zooms|zoomed|zooming)", "(?:follow|follows|followed|following)",
            "(?:shift|shifts|shifted|shifting)", "(?:tilt|tilts|tilted|tilting)", "(?:track|tracks|tracked|tracking)",
            "(?:shake|shakes|shook|shaking)",
            r"(?:remain|remains|remained|keep|keeps|kept)\s+(?:static|stationary|fixed|steady)",
            "(?:move|moves|moved|moving)", r"(?:is|was)\s+(?:positioned|placed|located)",
            "(?:capture|captures|captured|capturing)", "(?:focus|focuses|focused|focusing)")),
        r"(?:a|the)\s+(?:static|stationary|moving|panning|tracking|zoom)\s+shot",
        r"(?:a|the)\s+(?:close-up|medium|wide|aerial|overhead)\s+shot",
        r"[Tt]he scene (?:remains|stays) static", r"[Tt]he scene (?:is|appears) static",
        r"stationary (?:throughout|camera)", r"no significant camera movement", r"no camera movement",
        r"steady camera", r"stable camera", r"fixed camera",
    )
)
# A camera span stops at the earliest subject/clause marker (or at punctuation before it).
CAMERA_END = re.compile(
    r"\ba\s+(?:man|woman|person|boy|girl)|\bthe\s+(?:man|woman|person|boy|girl)|\bhe\b|\bshe\b|\bthey\b"
    r"|\bshowing\b|\bdisplaying\b|\brevealing\b|\bas\b|\bwhile\b", _I)
CAMERA_PUNCT = re.compile(r"[.,:;]")

DESCRIPTIVE = tuple(re.compile(p, _I) for p in (
    r"^(?:is|are|was|were)\s+(?:visible|present|shown|displayed)", r"^(?:seems|seemed|appears|appeared)\s+to\s+be",
    r"^(?:looks|looked)\s+(?:like|similar)", r"^(?:suggesting|indicating|showing|depicting)",
    r"^(?:can\s+be\s+seen)", r"^(?:wearing|carrying|holding)\b", r"^(?:stands|standing|seated|sitting|lying)\s+in\s",
    r"what appears to be", r"appears to be", r"seems to be",
))
BE_ADJECTIVE = re.compile(r"^(?:is|are|was|were)\s+(\w+)")
SCENE = tuple(re.compile(p, _I) for p in (
    r"^the\s+(?:scene|background|setting|video|clip)\s+", r"^the\s+video\s+(?:shows|depicts|begins|starts|opens)\s+",
    r"^in\s+the\s+(?:background|foreground|scene|setting)\s+", r"^the\s+(?:room|area|space|environment)\s+",
    r"\b(?:appears|appears\s+to\s+be|looks\s+like)\b", r"\b(?:suggesting|indicating|depicting)\b",
))
# A "while" clause that names one of these starts another subject's actions.
SUBJECT_INDICATOR = re.compile(
    r"\b(?:the|a|an)\s+(?:\w+\s+)*(?:man|woman|person|boy|girl|child|player|individual)", _I)
PASSIVE = tuple(re.compile(p, _I) for p in (
    r"is\s+\w+ed", r"was\s+\w+ed", r"are\s+\w+ed", r"were\s+\w+ed", r"is\s+being\s+\w+ed", r"was\s+being\s+\w+ed",
    r"has\s+been\s+\w+ed", r"have\s+been\s+\w+ed", r"had\s+been\s+\w+ed",
    r"is\s+\w+en", r"was\s+\w+en", r"are\s+\w+en", r"were\s+\w+en",
))
# (pattern, template for Match.expand, words one of which must occur so the pattern can match):
# states first, then reactions. The words only skip hopeless scans of long texts.
STATE_AND_REACTION: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = tuple(
    (re.compile(p, _I), t, k) for p, t, k in (
        (r"expression\s+changes?\s+from\s+([^.,;:]+)\s+to\s+([^.,;:]+)", r"expression changes from \1 to \2",
         ("expression",)),
        (r"expression\s+changes?\s+to\s+([^.,;:]+)", r"expression changes to \1", ("expression",)),
        (r"(?:indicating|suggesting)\s+(?:he|she|they)\s+is\s+([^.,;:]+)", r"is \1", ("indicating", "suggesting")),
        (r"appears\s+to\s+be\s+([^.,;:]+)", r"appears to be \1", ("appears",)),
        (r"seems\s+to\s+be\s+([^.,;:]+)", r"seems to be \1", ("seems",)),
        (r"continues\s+to\s+([^.,;:]+)", r"continues to \1", ("continues",)),
        (r"remains\s+([^.,;:]+)", r"remains \1", ("remains",)),
        (r"reacting\s+to\s+([^.,;:]+)", r"reacting to \1", ("reacting",)),
        (r"responding\s+to\s+([^.,;:]+)", r"responding to \1", ("responding",)),
        (r"engaged\s+with\s+([^.,;:]+)", r"engaged with \1", ("engaged",)),
        (r"looks?\s+(?:at|towards|to)\s+([^.,;:]+)\s+with\s+interest", r"looks at \1 with interest", ("look",)),
    )
)
PRONOUN_STATE = tuple(re.compile(p, _I) for p in (
    r"(?:expression|face|mood|emotion)\s+(?:changes|changed)", r"appears\s+to\s+be\s+([^.,;:]+)",
    r"seems\s+to\s+be\s+([^.,;:]+)", r"looks\s+(?:at|to|towards)\s+([^.,;:]+)\s+with\s+interest",
    r"engaged\s+with\s+([^.,;:]+)",
))
# Regex fallback of action extraction: the first of these that matches is the only action.
SPECIFIC_ACTIONS = tuple(re.compile(p, _I) for p in (
    r"searching\s+through\s+[^.,;:]+", r"searching\s+for\s+[^.,;:]+", r"looking\s+through\s+[^.,;:]+",
    r"looking\s+for\s+[^.,;:]+", r"walks\s+to\s+[^.,;:]+", r"walking\s+to\s+[^.,;:]+", r"runs\s+to\s+[^.,;:]+",
    r"running\s+to\s+[^.,;:]+", r"moves\s+to\s+[^.,;:]+", r"moving\s+to\s+[^.,;:]+",
    r"looks\s+(?:at|to|towards)\s+[^.,;:]+", r"looking\s+(?:at|to|towards)\s+[^.,;:]+", r"bends\s+down\s+[^.,;:]*",
    r"picks\s+up\s+[^.,;:]+", r"puts\s+(?:down|away|on|in)\s+[^.,;:]+", r"reacting\s+to\s+[^.,;:]+",
    r"speaking\s+(?:to|with)\s+[^.,;:]+", r"ensures\s+[^.,;:]+", r"adjusts\s+[^.,;:]+", r"handles\s+[^.,;:]+",
    r"examines\s+[^.,;:]+", r"interacts\s+with\s+[^.,;:]+", r"gestures\s+(?:to|towards|at)\s+[^.,;:]+",
    r"engaged\s+in\s+[^.,;:]+", r"reaches\s+(?:for|out to|towards)\s+[^.,;:]+", r"hands\s+over\s+[^.,;:]+",
    r"passes\s+[^.,;:]+", r"continues\s+to\s+[^.,;:]+",
))
FALLBACK_SPLIT = re.compile(r",\s+|\s+and\s+|\s+then\s+|\.\s+|;\s+")
# (keyword that must occur, pattern) for clauses with no pronoun-led verb.
ACTION_INDICATORS = tuple((kw, re.compile(p, _I)) for kw, p in (
    ("ensures", r"\bensures\s+([^.,;:]+)"), ("moves", r"\bmoves\s+([^.,;:]+)"), ("adjusts", r"\badjusts\s+([^.,;:]+)"),
    ("observes", r"\bobserves\s+([^.,;:]+)"), ("watches", r"\bwatches\s+([^.,;:]+)"),
    ("continues", r"\bcontinues\s+to\s+([^.,;:]+)"), ("begins", r"\bbegins\s+to\s+([^.,;:]+)"),
    ("starts", r"\bstarts\s+to\s+([^.,;:]+)"), ("tries", r"\btries\s+to\s+([^.,;:]+)"),
    ("attempts", r"\battempts\s+to\s+([^.,;:]+)"),
))
ING_COMPOUNDS: tuple[str, ...] = (
    "cutting board", "serving plate", "serving dish", "serving tray", "serving spoon", "cooking pot", "cooking pan",
    "cooking utensil", "cooking oil", "cooking spray", "baking dish", "baking sheet", "baking pan", "baking powder",
    "rolling pin", "shopping cart", "shopping bag", "shopping basket", "running water", "drinking water",
    "cooking water", "cooking wine", "bottled water", "sparkling water", "cleaning solution", "cleaning agent",
    "packing material", "wrapping paper", "writing paper", "dining room", "dining table", "dining area",
    "dining chair", "living room", "living area", "living space", "waiting room", "meeting room", "dressing room",
    "cooking show", "cooking class", "cooking lesson", "cooking skill", "cooking technique", "cooking time",
    "cooking temperature", "serving size", "serving style", "serving method", "serving motion", "serving technique",
    "serving position", "training session", "opening ceremony", "closing ceremony", "sporting event",
    "running track", "swimming pool", "running shoes", "swimming suit", "diving board", "starting position",
    "ending position", "turning point", "breaking point", "meeting point", "resting place", "turning mechanism",
    "operating system", "starting line", "finishing line", "measuring device", "counting machine", "serving line",
    "playing field", "scoring position", "bowling alley", "racing track", "jumping obstacle", "putting green",
    "shooting range", "batting cage", "playing court", "training ground",
)
NOMINAL_ING = tuple(re.compile(p) for p in (
    r"\b(?:the|a|an|this|that|these|those|my|your|his|her|their|our)\s+(\w+ing)\s+(\w+)\b",
    r"\b(?:on|in|at|by|with|from|to|through|about|after|before)\s+(?:the\s+)?(\w+ing)\b",
    r"\b(?:his|her|their|its|one's)\s+(\w+ing)\b",
    (r"\b(\w+ing)\s+(?:room|table|board|surface|line|position|style|technique|machine|device|system|method"
     r"|process|approach)\b"),
))
PROGRESSIVE = re.compile(r"\b(?:is|was)\s+\w+ing\b")
PROCESS_ING_NOUN = re.compile(
    r"\b(?:the|a|an|this|that|some|any|all)\s+(?:cooking|baking|frying|boiling|washing|cleaning|swimming|running"
    r"|jumping|serving|riding|playing|training|learning|teaching|writing|reading|speaking|working|traveling"
    r"|studying|thinking|computing|measuring)\b")
# (pattern, prefix): attribute phrases read off a subject description.
ATTRIBUTE_PATTERNS = tuple((re.compile(p, _I), pre) for p, pre in (
    (r"wearing\s+([^.,;:?!]+)", "wearing "), (r"dressed\s+in\s+([^.,;:?!]+)", "dressed in "),
    (r"holding\s+([^.,;:?!]+)", "holding "), (r"carrying\s+([^.,;:?!]+)", "carrying "),
    (r"with\s+([^.,;:?!]+)", "with "),
    (r"in\s+([^.,;:?!]+(?:shirt|dress|jacket|uniform|clothing|clothes|outfit))", "in "), (r"in\s+([^.,;:?!]+)", "in "),
    (r",\s+([^.,;:?!]*(?:wearing|dressed|holding|carrying|with)[^.,;:?!]*)", ""),
))
ATTRIBUTE_MARKERS = tuple(re.compile(rf"^\s*{m}\s+") for m in (
    r"\bwith\b", r"\bin\b", r"\bwearing\b", r"\bholding\b", r"\bcarrying\b", r"\bwho\s+is\b", r"\bdressed\s+in\b",
    r"\bhaving\b", r"\bclad\s+in\b", r"\bequipped\s+with\b", r"\bfeaturing\b", r"\bdisplaying\b",
))
ATTRIBUTE_CONNECTORS = tuple(re.compile(rf"\b{c}\b", _I) for c in ("and", "while", "then", "as", "but", "or"))
SCENE_INDICATORS = ("video sequence begins with", "video shows", "video begins with", "the scene shows",
                    "in the scene", "in the video", "in the frame", "appears to be", "what appears to be")
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "and", "or"})
ATTR_ACTION_VERBS = tuple(re.compile(rf"\b{v}\b") for v in (
    "walks", "runs", "jumps", "sits", "stands", "moves", "turns", "looks", "stares", "gazes", "speaks", "talks",
    "says", "reaches", "grabs", "takes", "puts", "places", "throws", "gestures", "smiles", "frowns", "laughs", "cries",
))
ATTR_ING_VERBS = tuple(re.compile(rf"\b{v}\b") for v in (
    "walking", "running", "jumping", "sitting", "standing", "looking", "speaking", "talking", "reaching", "grabbing",
    "taking", "putting", "placing", "gesturing", "smiling", "frowning", "laughing", "crying",
))
ATTR_PREFIXES = ("with ", "in ", "having ", "featuring ", "displaying ")
ATTR_REWRITES = (("dressed in a", "wearing a"), ("dressed in the", "wearing the"), ("clad in a", "wearing a"),
                 ("clad in the", "wearing the"))
AGE_TERMS = frozenset({"young", "old", "older", "elderly", "middle-aged", "teenage", "adult"})
HAIR_TERMS = frozenset({"black-haired", "blonde", "white-haired", "gray-haired", "red-haired", "bald"})
ATTR_STOPWORDS = frozenset({"in", "with", "a", "an", "the", "and", "of", "on", "at", "by", "to", "for", "who"})
# Dropped when other subjects exist (their Subject number is then skipped).
GENERIC_NOUNS = ("characters", "individuals", "subjects")
CLEAR_ACTION_VERBS: tuple[str, ...] = (
    "walk", "run", "jump", "pick", "grab", "take", "put", "place", "throw", "push", "pull", "lift", "turn", "twist",
    "open", "close", "hold", "shake", "wave", "point", "raise", "lower", "enter", "exit", "stand", "sit", "move",
    "serve", "toss", "hit", "strike", "swing", "prepare", "position", "adjust", "touch", "reach", "carry", "bring",
    "approach", "step", "pass", "deliver", "focus", "concentrate", "aim", "play", "perform", "dance", "spin", "bend",
    "stretch", "lean", "bite", "eat", "drink", "sip", "swallow", "search", "interact",
)
# Pronoun-based generic subjects: (base noun, pronouns), ties keep this order.
PRONOUN_SUBJECTS = (("man", ("he", "him", "his")), ("woman", ("she", "her", "hers")),
                    ("people", ("they", "them", "their")))
PRONOUNS_PADDED = (" he ", " she ", " they ", " it ", " him ", " her ", " them ")
PRONOUN_ANY = re.compile(r"\b(?:he|she|they|it|him|her|them)\b")
PRONOUN_LEAD = re.compile(r"\b(he|she|they|it)\s+", _I)
AS_SUBJECT = re.compile(r"^\s*(?:a|an|the)\s+(?:[a-z\s]*(?:man|woman|person|boy|girl))\b", _I)
AS_PRONOUN = re.compile(r"^\s*(?:he|she|they|it)\b", _I)
ADVERB_ING = re.compile(r"\b(\w+ly\s+\w+ing[^.,;:]*)")
ASSURANCE = tuple(re.compile(p, _I) for p in (
    r"\bensuring\s+[^.,;:]+", r"\badjusting\s+[^.,;:]+", r"\bmaking\s+sure\s+[^.,;:]+", r"\bensures\s+that\s+[^.,;:]+",
    r"\bensures\s+the\s+[^.,;:]+",
))
CLAUSE_MARKERS = (" as ", " while ", " when ")
SPLIT_PARTS = re.compile(r"\s+and\s+|\s*,\s*|\s*;\s*")
BARE_SPLIT = re.compile(r",\s+|\s+and\s+|\s+then\s+|;\s+")
BARE_LEAD = re.compile(r"^\s*(?:also|then|finally|next|afterwards|subsequently)\s+")
SEGMENT_LEAD = re.compile(r"^(?:and|then|also)\s+")
CAMERA_LEFTOVER_LEAD = re.compile(r"^(?:as|while|when|and|then)\s+")
CAMERA_LEFTOVER_PUNCT = re.compile(r"^\s*[,;:]\s*")
WHITESPACE = re.compile(r"\s+")
TRAILING_PUNCT = re.compile(r"[,;.]+$")
MIDDLE_PUNCT = re.compile(r"[,;]")
ACTION_CONNECTORS = tuple(re.compile(rf"\s+{c}\s+") for c in (
    "while", "as", "when", "and", "but", "or", "after", "before", "since", "because"))
END_CONJ = re.compile(r"\s+(?:while|as|when|and|but|or|after|before|since|because)$")
LEADING_CONJ = re.compile(r"^(?:and|but|or|then|also|so)\s+")
PUNCT = re.compile(r"[.,;:]")
WORD = re.compile(r"\w+")
BARE_NOUN_BEFORE = frozenset(" \t\n.,;:?!()[]{}\"'")
