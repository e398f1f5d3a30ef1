-- The built-in PI catalogue (P1.2): the categories named in clause P1.2, completed from
-- GB/T 35273-2020 Annex B and PIPL Art. 28 (sensitive personal information). Each starts at
-- version 1 with its first history row.

INSERT INTO data_categories (code, name_zh, name_en, description, pi_type, sensitivity, built_in) VALUES
  ('name', '姓名', 'Name', 'Source: P1.2', 'person_name', 'general', true),
  ('gender', '性别', 'Gender', 'Source: P1.2', 'text', 'general', true),
  ('date_of_birth', '出生日期', 'Date of birth', 'Source: P1.2', 'date', 'general', true),
  ('resident_id', '居民身份证号码', 'Resident ID number', 'Source: P1.2; GB/T 35273 B.2 personal identity information; PIPL Art. 28', 'cn_resident_id', 'sensitive', true),
  ('passport', '护照号码', 'Passport number', 'Source: GB/T 35273 B.2 personal identity information', 'passport', 'sensitive', true),
  ('hk_macau_permit', '往来港澳通行证号码', 'Exit-entry permit for Hong Kong and Macau', 'Source: GB/T 35273 B.2', 'hk_macau_permit', 'sensitive', true),
  ('hk_macau_resident_permit', '港澳居民来往内地通行证号码', 'Mainland travel permit for Hong Kong and Macau residents', 'Source: GB/T 35273 B.2', 'hk_macau_resident_permit', 'sensitive', true),
  ('taiwan_permit', '台湾通行证号码', 'Taiwan travel permit', 'Source: GB/T 35273 B.2', 'taiwan_permit', 'sensitive', true),
  ('mobile', '手机号码', 'Mobile phone number', 'Source: P1.2 contact details', 'cn_mobile', 'general', true),
  ('landline', '固定电话', 'Landline number', 'Source: P1.2 contact details', 'cn_landline', 'general', true),
  ('email', '电子邮箱', 'Email address', 'Source: P1.2', 'email', 'general', true),
  ('address', '地址', 'Address', 'Source: P1.2', 'address', 'general', true),
  ('bank_card', '银行卡号/账户', 'Bank card or account number', 'Source: PIPL Art. 28 financial accounts; GB/T 35273 B.2 personal property information', 'bank_card', 'sensitive', true),
  ('consumption_records', '消费记录', 'Consumption records', 'Source: P1.2; GB/T 35273 B.2 transaction and consumption records', 'text', 'sensitive', true),
  ('credit_records', '征信与信贷记录', 'Credit records', 'Source: GB/T 35273 B.2 personal property information', 'text', 'sensitive', true),
  ('preferences', '偏好', 'Preferences', 'Source: P1.2', 'text', 'general', true),
  ('precise_location', '精准定位信息', 'Precise location', 'Source: PIPL Art. 28 whereabouts; GB/T 35273 B.2', 'text', 'sensitive', true),
  ('whereabouts', '行踪轨迹', 'Whereabouts and tracks', 'Source: PIPL Art. 28', 'text', 'sensitive', true),
  ('biometrics', '生物识别信息', 'Biometric information', 'Source: PIPL Art. 28', 'text', 'sensitive', true),
  ('health', '医疗健康信息', 'Medical and health information', 'Source: PIPL Art. 28', 'text', 'sensitive', true),
  ('religion', '宗教信仰', 'Religious beliefs', 'Source: PIPL Art. 28', 'text', 'sensitive', true),
  ('specific_identity', '特定身份', 'Specific identity', 'Source: PIPL Art. 28', 'text', 'sensitive', true),
  ('minor_data', '不满十四周岁未成年人的个人信息', 'Personal information of minors under 14', 'Source: PIPL Art. 28, 31', 'text', 'sensitive', true),
  ('device_id', '设备标识符', 'Device identifiers', 'Source: GB/T 35273 B.1', 'text', 'general', true),
  ('employer', '工作单位', 'Employer', 'Source: GB/T 35273 B.1 personal education and work information', 'text', 'general', true);

INSERT INTO data_category_versions (category_id, version, snapshot, changed_by)
SELECT id, 1, jsonb_build_object('code', code, 'nameZh', name_zh, 'nameEn', name_en, 'description', description, 'piType', pi_type, 'sensitivity', sensitivity), 'system'
FROM data_categories WHERE built_in;
