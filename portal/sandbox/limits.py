"""Point budget per API key per rolling minute (seed 003's costs) and fault injection."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import defaultdict, deque

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
)

# Seed 003's point costs; everything else costs 1 (CatalogContent: 3, from the reference schema).
COSTS = {"UserContentItems": 3, "UserRecentContent": 4, "CatalogContent": 3}
WINDOW_SECONDS = 60.0
HANG_SECONDS = 30.0


def document_cost(document: DocumentNode, operation_name: str | None) -> int:
    """Sum of the costs of the operation's root fields; introspection counts 1 in all."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return 1
    fragments = {
        d.name.value: d
        for d in document.definitions
        if d.__class__.__name__ == "FragmentDefinitionNode"
    }
    names: list[str] = []

    def collect(selection_set, seen: frozenset[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.append(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen:
                    collect(fragment.selection_set, seen | {fragment.name.value})

    collect(operations[0].selection_set, frozenset())
    cost = sum(COSTS.get(name, 1) for name in names if not name.startswith("__"))
    if any(name.startswith("__") for name in names):
        cost += 1
    return max(cost, 1)


class PointBudget:
    """Points spent per API key over the last minute; thread-safe."""

    def __init__(self) -> None:
        self._spent: dict[str, deque[tuple[float, int]]] = defaultdict(deque)
        self._lock = threading.Lock()

    def spend(self, key: str, points: int, budget: int) -> int | None:
        """Spend points; None when within budget, else the seconds to wait before retrying."""
        moment = time.monotonic()
        with self._lock:
            spent = self._spent[key]
            while spent and spent[0][0] <= moment - WINDOW_SECONDS:
                spent.popleft()
            total = sum(p for _, p in spent)
            if total + points <= budget:
                spent.append((moment, points))
                return None
            # Wait until enough old spending leaves the window for these points to fit.
            need = total + points - budget
            for stamp, p in spent:
                need -= p
                if need <= 0:
                    return max(1, math.ceil(stamp + WINDOW_SECONDS - moment))
            return math.ceil(WINDOW_SECONDS)


def injected_fault(latency_ms: int, fail_rate: float) -> str | None:
    """Delay the request, then maybe fail it: None, "error" (answer 502) or "hang" (slept)."""
    if latency_ms > 0:
        time.sleep(latency_ms / 1000)
    if fail_rate <= 0:
        return None
    chance = random.Random()
    if chance.random() >= fail_rate:
        return None
    if chance.random() < 0.5:
        return "error"
    time.sleep(HANG_SECONDS)
    return "hang"
