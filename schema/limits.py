"""Query cost: refuse queries whose worst-case result is too large before running them.

Depth alone does not bound work (a shallow query can ask for 100 × 100 × 100 nodes), so each
object field costs the number of objects it may return: a connection multiplies its children
by ``first`` (the page cap when given as a variable), any other list by a fixed guess.
Scalars are free: they come with the object that holds them.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
)

__all__ = ["LIST_GUESS", "cost_rule"]

LIST_GUESS = 10


def _is_list(field_type: Any) -> bool:
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


def cost_rule(max_cost: int, page_cap: int, default_page: int) -> type[ValidationRule]:
    class QueryCostRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = {"query": schema.query_type, "mutation": schema.mutation_type,
                    "subscription": schema.subscription_type}[node.operation.value]
            fragments = {d.name.value: d for d in self.context.document.definitions
                         if isinstance(d, FragmentDefinitionNode)}
            cost = self._cost(node.selection_set, root, 1, fragments, set())
            if cost > max_cost:
                self.report_error(GraphQLError(
                    f"query cost {cost} exceeds the limit {max_cost}: ask for smaller pages "
                    "or fewer nested lists",
                    node, extensions={"code": "QUERY_TOO_COSTLY", "cost": cost,
                                      "max": max_cost}))

        def _cost(self, selection_set: SelectionSetNode | None, parent: Any, multiplier: int,
                  fragments: dict[str, FragmentDefinitionNode], seen: set[str]) -> int:
            if selection_set is None or parent is None:
                return 0
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    name = selection.name.value
                    if name.startswith("__") or not isinstance(parent, GraphQLObjectType):
                        continue
                    field = parent.fields.get(name)
                    if field is None:
                        continue
                    factor = 1
                    connection_part = parent.name.endswith("Connection")
                    for argument in selection.arguments or ():
                        if argument.name.value == "first":
                            factor = (int(argument.value.value)
                                      if isinstance(argument.value, IntValueNode) else page_cap)
                            break
                    else:
                        if any(a == "first" for a in field.args):
                            factor = default_page
                        elif _is_list(field.type) and not connection_part:
                            factor = LIST_GUESS
                    if not isinstance(get_named_type(field.type), GraphQLObjectType):
                        continue  # scalars come with their object: no extra cost
                    total += multiplier * factor
                    total += self._cost(selection.selection_set, get_named_type(field.type),
                                        multiplier * factor, fragments, seen)
                elif isinstance(selection, InlineFragmentNode):
                    target = parent
                    if selection.type_condition is not None:
                        target = self.context.schema.get_type(selection.type_condition.name.value)
                    total += self._cost(selection.selection_set, target, multiplier, fragments,
                                        seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = fragments.get(name)
                    if fragment is None or name in seen:
                        continue
                    target = self.context.schema.get_type(fragment.type_condition.name.value)
                    total += self._cost(fragment.selection_set, target, multiplier, fragments,
                                        seen | {name})
            return total

    return QueryCostRule
