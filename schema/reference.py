"""The framework's reference types: proficiency, levels, layers, strands, colleges, framework
versions and industries — the leaves the element types (``schema.types``) point at.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from graph.ids import element_uid
from graph.store import Record
from schema.context import Context
from schema.enums import FrameworkStatus, LayerCode, LevelCode, of
from schema.enums import code as enum_code
from schema.node import Node

__all__ = ["FRAMEWORK_ID", "College", "Framework", "Industry", "Layer", "Level", "Proficiency",
           "Strand", "when"]

FRAMEWORK_ID = "The framework version it belongs to (CODE@VERSION)"
PROFICIENCY_NAMES = {1: ("了解", "know"), 2: ("运用", "apply"), 3: ("设计", "design"),
                     4: ("创新", "innovate")}


def _ctx(info: Info[Context, Any]) -> Context:
    return info.context


@strawberry.type(description="A proficiency on the 1–4 scale: 了解 know · 运用 apply · "
                             "设计 design · 创新 innovate.")
class Proficiency:
    value: int
    name_zh: str
    name_en: str

    @staticmethod
    def of(value: int | None) -> Proficiency | None:
        if value is None:
            return None
        zh, en = PROFICIENCY_NAMES.get(int(value), ("?", "?"))
        return Proficiency(value=int(value), name_zh=zh, name_en=en)


@strawberry.type(description="An education level 层次: ZZ 中职, GZ 高职专科, BK 职业本科.")
class Level(Node):
    code: LevelCode
    rank: int
    max_proficiency: int = strawberry.field(
        description="The highest proficiency this level may ask (ZZ 2 运用, GZ 3 设计, BK 4 创新)")
    name_zh: str
    name_en: str
    description_zh: str | None
    description_en: str | None
    source: str | None

    def node_key(self) -> str:
        return str(self.code.value) if isinstance(self.code, Enum) else str(self.code)

    @staticmethod
    def of(row: Record) -> Level:
        return Level(code=of(LevelCode, row["code"]), rank=int(row["rank"]),
                     max_proficiency=int(row["maxProficiency"]), name_zh=row["nameZh"],
                     name_en=row["nameEn"], description_zh=row.get("descriptionZh"),
                     description_en=row.get("descriptionEn"), source=row.get("source"))


@strawberry.type(description="A competency layer 层: 通识素养 GEN, 专业技能 PRO, 行业能力 IND.")
class Layer(Node):
    code: LayerCode
    order: int
    name_zh: str
    name_en: str
    description_zh: str | None
    description_en: str | None
    source: str | None

    def node_key(self) -> str:
        return str(self.code.value) if isinstance(self.code, Enum) else str(self.code)

    @staticmethod
    def of(row: Record) -> Layer:
        return Layer(code=of(LayerCode, row["code"]), order=int(row["order"]),
                     name_zh=row["nameZh"],
                     name_en=row["nameEn"], description_zh=row.get("descriptionZh"),
                     description_en=row.get("descriptionEn"), source=row.get("source"))


@strawberry.type(description="A strand through all layers: 安全伦理 ETH (safety & ethics).")
class Strand(Node):
    code: str
    name_zh: str
    name_en: str
    description_zh: str | None
    description_en: str | None
    source: str | None

    def node_key(self) -> str:
        return str(self.code.value) if isinstance(self.code, Enum) else str(self.code)

    @staticmethod
    def of(row: Record) -> Strand:
        return Strand(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                      description_zh=row.get("descriptionZh"),
                      description_en=row.get("descriptionEn"), source=row.get("source"))


@strawberry.type(description="A college 院校.")
class College:
    code: str
    name_zh: str
    name_en: str

    @staticmethod
    def of(row: Record) -> College:
        return College(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"])


@strawberry.type(description="A framework version; published versions are frozen.")
class Framework:
    id: strawberry.ID = strawberry.field(description="CODE@VERSION, e.g. AIL@2025.1")
    code: str
    version: str
    status: FrameworkStatus
    name_zh: str
    name_en: str
    description_zh: str | None
    description_en: str | None
    source: str | None
    created_at: datetime | None = strawberry.field(description="When the version was created")
    published_at: datetime | None = strawberry.field(
        description="When it was published (null: a draft)")
    deprecated_at: datetime | None = strawberry.field(
        description="When it was deprecated (null: not deprecated)")
    previous_version: strawberry.ID | None = strawberry.field(
        description="The version this one was copied from")

    @staticmethod
    def of(row: Record) -> Framework:
        return Framework(id=row["uid"], code=row["code"], version=row["version"],
                         status=of(FrameworkStatus, row.get("status") or "draft"),
                         name_zh=row["nameZh"],
                         name_en=row["nameEn"], description_zh=row.get("descriptionZh"),
                         description_en=row.get("descriptionEn"), source=row.get("source"),
                         created_at=when(row.get("createdAt")),
                         published_at=when(row.get("publishedAt")),
                         deprecated_at=when(row.get("deprecatedAt")),
                         previous_version=row.get("previousVersion"))


def when(value: object) -> datetime | None:
    """A stored ISO-8601 text (a date alone is its midnight) as a ``DateTime``."""
    return datetime.fromisoformat(str(value)) if value else None


async def _level(info: Info[Context, Any], code: LevelCode | None) -> Level | None:
    row = await _ctx(info).global_by_code("levels", enum_code(code))
    return Level.of(row) if row else None


async def _layer(info: Info[Context, Any], code: LayerCode | None) -> Layer | None:
    row = await _ctx(info).global_by_code("layers", enum_code(code))
    return Layer.of(row) if row else None


async def _node(info: Info[Context, Any], label: str, fw: str, code: str | None) -> Record | None:
    if code is None:
        return None
    return await _ctx(info).nodes[label].load(element_uid(fw, code))


async def _edges(info: Info[Context, Any], name: str, uid: str) -> list[Record]:
    return await _ctx(info).edges[name].load(uid)


@strawberry.type(description="An industry 行业.")
class Industry(Node):
    code: str
    name_zh: str
    name_en: str
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)

    def node_key(self) -> str:
        return element_uid(self.framework, self.code)

    @staticmethod
    def of(row: Record) -> Industry:
        return Industry(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                        source=row.get("source"), framework=row["fw"])


