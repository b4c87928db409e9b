"""The phonebook: contact subentries (a name, one or more numbers) that name the calls coming in."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .api.telephony import same_number
from .const import CONF_NUMBERS, DOMAIN, SUBENTRY_TYPE_CONTACT


def contact_name(hass: HomeAssistant, entry: ConfigEntry, number: str | None) -> str | None:
    """Return the name of the contact that has ``number``, however either was typed.

    Contacts may be kept under any entry: the entry's own are looked up first.
    """
    if not number:
        return None
    others = [other for other in hass.config_entries.async_entries(DOMAIN) if other is not entry]
    for book in (entry, *others):
        for subentry in book.subentries.values():
            if subentry.subentry_type == SUBENTRY_TYPE_CONTACT and any(
                same_number(number, known) for known in subentry.data.get(CONF_NUMBERS, ())
            ):
                return subentry.title
    return None
