-- wrk script: text searches with two random words on a random one of the 40 generated
-- tenants, so most requests miss the per-catalogue memo of full-text results (cold path).
-- Tenants b07, b14, b21, b28 and b35 copy The Gambia (English only): they are skipped.
local words = {
  "ecole", "sante", "jeunes", "formation", "eau", "femmes", "numerique", "agriculture",
  "entreprise", "mentorat", "dons", "equipement", "hopital", "village", "quartier", "energie",
  "solaire", "recyclage", "dechets", "culture", "sport", "tourisme", "artisanat",
  "investissement", "logement", "cooperative", "bibliotheque", "ordinateurs", "medicaments",
  "enfants", "etudiants", "stage", "conseil", "association", "mairie", "routes", "forage",
  "benevolat", "competences", "epargne",
}
math.randomseed(os.time())
request = function()
  local a = words[math.random(#words)]
  local b = words[math.random(#words)]
  local n = math.random(40)
  if n % 7 == 0 then n = n - 1 end
  local host = string.format("b%02d.localhost", n)
  return wrk.format("GET", "/fr/missions?q=" .. a .. "+" .. b,
    { ["Host"] = host, ["Accept-Encoding"] = "gzip" })
end
