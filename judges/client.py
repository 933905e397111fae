"""Sending chat requests to an OpenAI-compatible endpoint: bounded concurrency, retries, a request budget.

The ``openai`` package does the HTTP; its own retries are off (``max_retries=0``) so that every attempt
passes through here, is counted, and is charged to the run's budget.
"""

from __future__ import annotations

import asyncio
import random
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finemotion_eval.judges.config import JudgeConfig
from finemotion_eval.judges.usage import JudgeUsage

if TYPE_CHECKING:
    import httpx

__all__ = ["ChatClient", "Completion", "JudgeRequestError", "RequestBudgetExhausted", "check_reachable"]

_RETRYABLE_STATUS = frozenset({408, 409, 429})  # plus every 5xx
_BODY_SHOWN = 120  # characters of an unreadable reply kept in its failure record
_PLACEHOLDER_KEY = "EMPTY"  # local servers (vLLM, sglang) accept any key but the openai package wants one


class JudgeRequestError(Exception):
    """A request failed for good: a non-retryable status, or retries used up."""


class RequestBudgetExhausted(JudgeRequestError):
    """The run's ``max_requests`` budget is spent, so this request was never sent."""


@dataclass(frozen=True)
class Completion:
    """The text of one judge reply."""

    text: str


class ChatClient:
    """One endpoint, shared by all concurrent requests of a run. Create and use inside one event loop."""

    def __init__(self, config: JudgeConfig, usage: JudgeUsage, rng: random.Random | None = None) -> None:
        import openai  # here, not at module import: importing judges needs neither openai nor a key

        # api.openai.com would answer a keyless request with 401 for every item; fail once, up front.
        if not config.api_key and config.base_url is None:
            raise ValueError("no API key for api.openai.com: set FINEMOTION_JUDGE_API_KEY or OPENAI_API_KEY")
        self._openai = openai
        self._config = config
        self._usage = usage
        self._rng = rng or random.Random()
        self._semaphore = asyncio.Semaphore(config.concurrency)
        self._client = openai.AsyncOpenAI(
            api_key=config.api_key or _PLACEHOLDER_KEY,
            base_url=config.base_url,
            timeout=config.timeout_s,
            max_retries=0,
        )

    def __repr__(self) -> str:
        return f"ChatClient(model={self._config.model!r}, base_url={self._config.base_url!r})"

    async def complete(self, messages: Sequence[dict[str, Any]], sampling: Mapping[str, Any] | None = None) -> Completion:
        """The reply to ``messages``, retrying transient failures with backoff.

        ``sampling`` replaces the config's sampling parameters (a model adapter sends each task's own).
        """
        config = self._config
        sampling = config.sampling() if sampling is None else sampling
        reason = ""
        for attempt in range(config.max_retries + 1):
            self._charge_budget()
            if attempt:
                self._usage.retried += 1
            try:
                async with self._semaphore:
                    response = await self._client.chat.completions.create(
                        model=config.model, messages=list(messages), **sampling
                    )
            except self._openai.APIStatusError as error:
                status = error.status_code
                if status not in _RETRYABLE_STATUS and status < 500:
                    raise JudgeRequestError(f"HTTP {status} from the endpoint{_error_message(error)}") from None
                reason = f"HTTP {status}"
                delay = _retry_after_s(error.response)
                if delay is None:
                    delay = self._backoff_s(attempt)
            except self._openai.APITimeoutError:
                reason, delay = f"timed out after {config.timeout_s:g} s", self._backoff_s(attempt)
            except self._openai.APIConnectionError:
                reason, delay = "connection error", self._backoff_s(attempt)
            # A 200 whose body is not a chat completion (a proxy's error page, a truncated body): the
            # openai package raises its own validation error or a bare JSON/pydantic ValueError.
            except (self._openai.APIError, ValueError) as error:
                reason, delay = f"unusable response ({type(error).__name__}{_body_start(error)})", self._backoff_s(attempt)
            else:
                if not isinstance(response, str):
                    return self._completion(response)
                # The openai package hands back a body that is not JSON (an HTML error page) as a string.
                reason, delay = f"unusable response (not a chat completion: {response[:_BODY_SHOWN]!r})", self._backoff_s(attempt)
            if attempt < config.max_retries:
                # Retry-After is honoured, but capped so that one odd header cannot stall the run.
                await asyncio.sleep(min(delay, config.backoff_max_s))
        raise JudgeRequestError(f"gave up after {config.max_retries + 1} attempts, last: {reason}")

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()

    def _charge_budget(self) -> None:
        budget = self._config.max_requests
        if budget is not None and self._usage.sent >= budget:
            raise RequestBudgetExhausted(f"request budget of {budget} spent before this item was judged")
        self._usage.sent += 1

    def _backoff_s(self, attempt: int) -> float:
        # Half fixed, half random ("equal jitter"): spreads out clients that failed together
        # while still growing the wait exponentially.
        ceiling = min(self._config.backoff_max_s, self._config.backoff_base_s * 2**attempt)
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _completion(self, response: Any) -> Completion:
        usage = getattr(response, "usage", None)
        if usage is not None:
            self._usage.prompt_tokens += usage.prompt_tokens or 0
            self._usage.completion_tokens += usage.completion_tokens or 0
        choices = getattr(response, "choices", None) or []
        # An empty reply goes on to the parser, which rejects it and asks for a repair.
        text = (choices[0].message.content or "") if choices else ""
        return Completion(text=text)


def _error_message(error: Exception) -> str:
    """``: <the server's error message>`` when its body gave one (an API error's ``message``), else nothing."""
    body = getattr(error, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    return f": {str(message)[:_BODY_SHOWN]}" if message else ""


def check_reachable(base_url: str, timeout_s: float, what: str) -> None:
    """Raise ``ValueError`` naming ``what`` unless something answers HTTP at ``base_url`` (any status will do)."""
    try:
        urllib.request.urlopen(base_url.rstrip("/") + "/models", timeout=min(timeout_s, 10.0)).close()
    except urllib.error.HTTPError:
        pass  # an error status still shows the server is there
    except (urllib.error.URLError, OSError) as err:
        raise ValueError(f"{what} at {base_url} does not answer ({err}); start it or fix the URL") from err


def _body_start(error: Exception) -> str:
    """``: <first bytes of the body>`` when the error kept the body it could not read, else nothing."""
    body = getattr(error, "doc", None)  # json.JSONDecodeError keeps the text it failed on
    return f": {body[:_BODY_SHOWN]!r}" if isinstance(body, str) else ""


def _retry_after_s(response: httpx.Response | None) -> float | None:
    """The server's ``Retry-After`` in seconds, when it gave one as a number (HTTP dates are ignored)."""
    if response is None:
        return None
    value = response.headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None
