"""The unread-message count in the page header."""

from django import template

from accounts.notifications import unread_count

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    return unread_count(user)
