"""Every searchable type (haystack discovers this module).

Each type lives in ``collab/search/types/<app>.py``; a type whose app is missing or whose
models have changed shape is skipped with a warning, so search keeps working for the rest.
"""

import logging

from collab.search.types.directory import OrgUnitIndex, PersonIndex  # noqa: F401

logger = logging.getLogger(__name__)

try:
    from collab.search.types.knowledge import ArticleIndex, SpaceIndex  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the knowledge app
    logger.warning("knowledge pages are not searchable: %s", exc)

try:
    from collab.search.types.training import CourseIndex, LessonIndex  # noqa: F401
except ImportError as exc:  # pragma: no cover
    logger.warning("courses and lessons are not searchable: %s", exc)

try:
    from collab.search.types.chat import MessageIndex  # noqa: F401
except ImportError as exc:  # pragma: no cover
    logger.warning("chat messages are not searchable: %s", exc)
