"""What the placements imports share: who may load a council's placements, the council they go
to, and the keyed hash that pseudonymises a child's SSDA903 identifier on the way in."""

import hashlib
import hmac
import io

from django.conf import settings

from budgets.importing import (
    ImportFileError,
    file_digest,
)


def pseudonymise(child_id: str) -> str:
    """A keyed hash: the same child always gets the same reference, and without the key the
    reference cannot be turned back into the SSDA903 identifier."""
    key = settings.CSC_CHILD_ID_SALT.encode()
    return hmac.new(key, child_id.strip().encode(), hashlib.sha256).hexdigest()


def pseudonymiser():
    """pseudonymise() for a whole file: the keyed hash's state is computed once and copied per
    child, which is several times faster for a million rows and gives the same references."""
    keyed = hmac.new(settings.CSC_CHILD_ID_SALT.encode(), digestmod=hashlib.sha256)

    def reference(child_id: str) -> str:
        digest = keyed.copy()
        digest.update(child_id.strip().encode())
        return digest.hexdigest()

    return reference


def cell(cells, columns, name) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def as_stream(source):
    return io.BytesIO(source) if isinstance(source, bytes | bytearray) else source


def current_council():
    from budgets.models import Council

    council = Council.objects.current().first()
    if council is None:
        raise ImportFileError("Set up the council before loading its placements.")
    return council


def refuse_outsider(user) -> None:
    """Placements are the council's as a whole: an administrator, or a finance officer of
    this council (assigned to one of its services), loads them; `user` None is an operator."""
    from budgets.access import may_load_council_data

    if not may_load_council_data(user):
        raise ImportFileError(
            "Only an administrator or a finance officer of this council loads its placements."
        )


def may_load_other_councils(user) -> bool:
    """Rows of another council of this database go to it when an administrator or an operator
    (`user` None) loads them; a finance officer loads their own council's rows only."""
    from budgets.access import Role, has_role

    return user is None or has_role(user, Role.ADMINISTRATOR)


def named_files(files, default_name: str) -> list[tuple[str, object]]:
    """One file (bytes or a binary file object) or a list of (name, file) → [(name, stream)]."""
    if files is None:
        return []
    if isinstance(files, list | tuple):
        return [(name, as_stream(data)) for name, data in files]
    return [(default_name, as_stream(files))]


def files_digest(named) -> str:
    if len(named) == 1:
        return file_digest(named[0][1])[0]
    return hashlib.sha256(
        "".join(file_digest(stream)[0] for _, stream in named).encode()
    ).hexdigest()
