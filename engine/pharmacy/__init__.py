"""Pharmacies: where a patient can get their medicines, and holding them until pickup.

Public API: :class:`PharmacyService` (search, reserve, status changes, expiry sweep),
:func:`engine.pharmacy.geo.locate` (shared location / PIN / village), :func:`engine.pharmacy.wanted.from_text`,
inventory adapters in :mod:`engine.pharmacy.inventory`, the pharmacist's SMS commands in
:func:`engine.pharmacy.sms.handle_stock_command`, tables and :func:`engine.pharmacy.models.migrate`.
Plain Python: no Flask or Rasa imports.
"""

from engine.pharmacy.geo import Location, locate
from engine.pharmacy.models import Status, migrate
from engine.pharmacy.reservations import BadTransition, OutOfStock, ReservationView
from engine.pharmacy.search import Offer
from engine.pharmacy.service import PharmacyService
from engine.pharmacy.wanted import Wanted

__all__ = ["BadTransition", "Location", "Offer", "OutOfStock", "PharmacyService", "ReservationView", "Status",
           "Wanted", "locate", "migrate"]
