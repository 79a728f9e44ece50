"""NAS (file share) backup: file servers and shares, NAS jobs and their includes, NAS job
sessions (backup job sessions of type ``NasBackup``), NAS job actions."""
