"""The committee pack's configuration: for each council, which committee tables and charts its
pack carries, in what order, under what titles and section labels.

Written only through csc_dashboard.committee_pack.pack_save (audited); read by build_pack, which
every format of the pack (page, print view, PDF, Excel, Word, the command) goes through.
"""

from django.db import models
from django.db.models import Q

from budgets.models import Council


class PackItem(models.Model):
    """One section of a council's pack: a committee table (by its stable key), shown as a table,
    a chart or both. A blank title means the table's own title."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="pack_items")
    key = models.CharField(max_length=40, help_text="A committee table key.")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, blank=True)
    label = models.CharField(
        max_length=30, blank=True, help_text="A section label, like the report's section number."
    )
    show_table = models.BooleanField(default=True)
    show_chart = models.BooleanField(default=False)
    # The pack's version when this row was last saved: a save based on an older version is
    # refused, so two administrators cannot overwrite each other's order unseen.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["council", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["council", "key"], name="pack_item_one_per_key"),
            models.CheckConstraint(condition=~Q(key=""), name="pack_item_key_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.council}: {self.position}. {self.key}"
