from django import template

from budgets import formatting

register = template.Library()

register.filter("millions", formatting.millions)
register.filter("pounds_millions", formatting.pounds_millions)
register.filter("pounds", formatting.pounds)
register.filter("money_input", formatting.money_input)
register.filter("pence", formatting.pence)
register.filter("person", formatting.person)
register.filter("when", formatting.when)
