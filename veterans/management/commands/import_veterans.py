from core.import_command import ImportCommand
from veterans.imports import REGISTER


class Command(ImportCommand):
    help = "Validate (and with --commit, write) a file of veterans; exit 0 clean, 1 row errors, 2 unreadable."
    register = REGISTER
