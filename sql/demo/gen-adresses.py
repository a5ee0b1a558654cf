#!/usr/bin/env python3
"""Generates sql/demo/adresses-62-demo.csv, a small extract-like address base in
the format of the Base Adresse Nationale's adresses-62.csv (semicolon separated,
Lambert-93 x/y and WGS84 lon/lat). The streets are real-looking streets of a few
Pas-de-Calais towns; house positions are deterministic offsets along each street
around the town centre, not surveyed positions. Deterministic: running it again
produces the same file.

    python3 sql/demo/gen-adresses.py > sql/demo/adresses-62-demo.csv
"""
import math
import sys
import unicodedata

HEADER = ("id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;"
          "code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;"
          "nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;"
          "certification_commune;cad_parcelles")

# code_insee, code_postal, nom_commune, centre (lat, lon)
TOWNS = {
    "62041": ("62000", "Arras", 50.2910, 2.7775),
    "62753": ("62223", "Saint-Laurent-Blangy", 50.2945, 2.8070),
    "62498": ("62300", "Lens", 50.4322, 2.8333),
    "62510": ("62800", "Liévin", 50.4228, 2.7786),
    "62119": ("62400", "Béthune", 50.5303, 2.6408),
    "62193": ("62100", "Calais", 50.9513, 1.8587),
    "62160": ("62200", "Boulogne-sur-Mer", 50.7264, 1.6147),
}

# code_insee, fantoir, nom_voie, length of the street (4/5 of it is numbered)
STREETS = [
    ("62041", "0420", "Rue Ernestale", 48),
    ("62041", "0510", "Place des Héros", 30),
    ("62041", "0440", "Grand'Place", 40),
    ("62041", "0460", "Rue Gambetta", 56),
    ("62041", "0150", "Boulevard Carnot", 44),
    ("62041", "0770", "Rue Saint-Aubert", 52),
    ("62041", "0830", "Rue de la Taillerie", 22),
    ("62041", "0740", "Rue Ronville", 60),
    ("62041", "0300", "Boulevard de Strasbourg", 46),
    ("62041", "0030", "Rue d'Amiens", 58),
    ("62041", "0990", "Avenue Winston Churchill", 36),
    ("62041", "0060", "Rue Baudimont", 42),
    ("62041", "0350", "Boulevard Faidherbe", 28),
    ("62041", "0310", "Rue de Douai", 50),
    ("62041", "0470", "Avenue de l'Hippodrome", 34),
    ("62041", "0995", "Rue Émile Zola", 26),
    ("62041", "0550", "Avenue Jean Jaurès", 44),
    ("62041", "0650", "Rue de la Paix", 24),
    ("62753", "0120", "Avenue Roger Salengro", 40),
    ("62753", "0200", "Rue Laurent Gers", 26),
    ("62753", "0090", "Rue Jean Moulin", 22),
    ("62753", "0150", "Rue de la Paix", 18),
    ("62498", "0410", "Rue de Lille", 54),
    ("62498", "0040", "Boulevard Émile Basly", 60),
    ("62498", "0620", "Avenue Raoul Briquet", 38),
    ("62498", "0650", "Rue René Lanoy", 30),
    ("62498", "0390", "Place Jean Jaurès", 20),
    ("62498", "0550", "Rue de Paris", 42),
    ("62498", "0010", "Avenue Alfred Maës", 36),
    ("62498", "0710", "Rue Émile Zola", 34),
    ("62498", "0860", "Rue du 11 Novembre", 28),
    ("62498", "0130", "Rue Casimir Beugnet", 24),
    ("62498", "0610", "Route de Béthune", 50),
    ("62510", "0380", "Rue Jean-Baptiste Defernez", 44),
    ("62510", "0850", "Rue Édouard Vaillant", 38),
    ("62510", "0360", "Place Gambetta", 16),
    ("62510", "0330", "Avenue Jean Jaurès", 48),
    ("62510", "0780", "Rue Thiers", 26),
    ("62119", "0440", "Grand'Place", 34),
    ("62119", "0030", "Rue d'Arras", 52),
    ("62119", "0590", "Boulevard Raymond Poincaré", 40),
    ("62119", "0690", "Rue Sadi Carnot", 36),
    ("62119", "0230", "Rue de la Délivrance", 30),
    ("62119", "0820", "Boulevard Victor Hugo", 46),
    ("62119", "0280", "Rue Ernest Renan", 24),
    ("62119", "0400", "Place Lamartine", 18),
    ("62119", "0120", "Rue du Carillon", 20),
    ("62119", "0490", "Avenue du Maréchal Leclerc", 38),
    ("62193", "0370", "Boulevard Jacquard", 58),
    ("62193", "0690", "Rue Royale", 40),
    ("62193", "0390", "Boulevard Lafayette", 52),
    ("62193", "0530", "Rue Mollien", 34),
    ("62193", "0580", "Place d'Armes", 22),
    ("62193", "0320", "Rue des Fontinettes", 44),
    ("62193", "0070", "Avenue Antoine de Saint-Exupéry", 30),
    ("62193", "0180", "Rue du Cheval Gris", 28),
    ("62160", "0410", "Grande Rue", 56),
    ("62160", "0800", "Rue Thiers", 38),
    ("62160", "0230", "Boulevard Daunou", 32),
    ("62160", "0340", "Rue Faidherbe", 42),
    ("62160", "0120", "Rue de Brequerecque", 36),
    ("62160", "0170", "Boulevard de Clocheville", 30),
    ("62160", "0620", "Place Dalton", 14),
]

# Lambert-93 (RGF93, EPSG:2154): Lambert conformal conic, 2 standard parallels, GRS80.
A = 6378137.0
E = 0.0818191910428158
LON0 = math.radians(3.0)
PHI1, PHI2, PHI0 = math.radians(44.0), math.radians(49.0), math.radians(46.5)
X0, Y0 = 700000.0, 6600000.0


def _m(phi):
    return math.cos(phi) / math.sqrt(1 - (E * math.sin(phi)) ** 2)


def _t(phi):
    s = E * math.sin(phi)
    return math.tan(math.pi / 4 - phi / 2) / ((1 - s) / (1 + s)) ** (E / 2)


N = (math.log(_m(PHI1)) - math.log(_m(PHI2))) / (math.log(_t(PHI1)) - math.log(_t(PHI2)))
F = _m(PHI1) / (N * _t(PHI1) ** N)
RHO0 = A * F * _t(PHI0) ** N


def lambert93(lat, lon):
    rho = A * F * _t(math.radians(lat)) ** N
    theta = N * (math.radians(lon) - LON0)
    return X0 + rho * math.sin(theta), Y0 + RHO0 - rho * math.cos(theta)


def afnor(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    s = s.upper().replace("'", " ").replace("-", " ")
    return " ".join(s.split())[:32]


def main(out):
    out.write(HEADER + "\n")
    rows = 0
    for idx, (insee, fantoir, voie, count) in enumerate(STREETS):
        cp, commune, clat, clon = TOWNS[insee]
        # Street start: a deterministic offset from the town centre (up to ~1.2 km),
        # direction: a deterministic angle; numbers every ~12 m, odd/even sides 15 m apart.
        k = int(fantoir) + 7 * idx
        start_dlat = ((k * 37) % 200 - 100) / 100 * 0.011
        start_dlon = ((k * 53) % 200 - 100) / 100 * 0.017
        angle = math.radians((k * 29) % 360)
        step = 0.00011
        for n in range(1, count * 4 // 5 + 1):
            reps = [""] + (["bis"] if n % 17 == 5 else []) + (["ter"] if n % 41 == 7 else [])
            for rep in reps:
                along = (n // 2 + (0.4 if rep else 0.0)) * step
                side = 0.00007 if n % 2 else -0.00007
                lat = clat + start_dlat + along * math.sin(angle) + side * math.cos(angle)
                lon = clon + start_dlon + (along * math.cos(angle) - side * math.sin(angle)) * 1.57
                x, y = lambert93(lat, lon)
                bid = f"{insee}_{fantoir}_{n:05d}" + (f"_{rep}" if rep else "")
                section = "A" + "BCDEHKLMN"[(k + n // 10) % 9]
                parcel = f"{insee}000{section}{(k * 7 + n * 3) % 900 + 10:04d}"
                certified = "1" if (idx + n) % 5 else "0"
                out.write(";".join([
                    bid, f"{insee}_{fantoir}", str(n), rep, voie, cp, insee, commune, "", "",
                    f"{x:.2f}", f"{y:.2f}", f"{lon:.6f}", f"{lat:.6f}",
                    "segment" if n % 23 == 0 else "entrée", "", "",
                    afnor(commune), afnor(voie),
                    "cadastre" if n % 3 else "commune", "commune" if n % 7 else "cadastre",
                    certified, parcel,
                ]) + "\n")
                rows += 1
    return rows


if __name__ == "__main__":
    n = main(sys.stdout)
    print(f"{n} adresses", file=sys.stderr)
