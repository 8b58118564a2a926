-- wrk script: text searches with two random words on a random one of the 40 generated
-- tenants, so most requests miss the per-catalogue memo of full-text results (cold path).
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
  local host = string.format("b%02d.localhost", math.random(40))
  return wrk.format("GET", "/fr/missions?q=" .. a .. "+" .. b,
    { ["Host"] = host, ["Accept-Encoding"] = "gzip" })
end
